/**
 * Reads styles.json as written by `python -m export.to_tflite --web_demo`.
 * Checks what the page relies on and throws an Error with a readable message
 * otherwise. It cannot tell whether model.tflite matches: the page compares
 * the model's input shapes once it is loaded.
 */

const FORMAT = 'magenta_style.manifest';
const FORMAT_VERSION = 1;

function fail(message) {
  throw new Error(`styles.json: ${message}`);
}

/** The square size S of a fixed [1, S, S, 3] image shape, or a failure. */
function fixedSize(shape, what) {
  const ok = Array.isArray(shape) && shape.length === 4 && shape[0] === 1 && shape[3] === 3;
  if (!ok) fail(`${what} shape ${JSON.stringify(shape)} is not [1, H, W, 3]`);
  if (!(shape[1] > 0 && shape[1] === shape[2])) {
    fail(`${what} shape ${JSON.stringify(shape)} is not a fixed square size; the page needs ` +
         'the fixed-size model of python -m export.to_tflite --web_demo');
  }
  return shape[1];
}

/** The control points a style may have, in the order blends sum them. */
export const CONTROL_POINTS = ['stroke_small', 'stroke_large', 'intense'];

/** The manifest's stroke and intensity controls: {strokeRange, maxStrength}, or null. */
function readControls(controls) {
  if (controls === undefined || controls === null) return null;
  if (JSON.stringify(controls.points) !== JSON.stringify(CONTROL_POINTS)) {
    fail(`controls.points must be ${CONTROL_POINTS.join(', ')}`);
  }
  const [low, high] = controls.stroke_range || [];
  if (!(low > 0 && low < 1 && high > 1 && controls.max_strength >= 1)) {
    fail('controls need 0 < stroke_range[0] < 1 < stroke_range[1] and max_strength >= 1');
  }
  return {strokeRange: [low, high], maxStrength: controls.max_strength};
}

/** A style's embedding or control point: embeddingSize finite numbers. */
function readValues(values, name, what, embeddingSize) {
  if (!Array.isArray(values) || values.length !== embeddingSize || !values.every(Number.isFinite)) {
    fail(`style '${name}' needs ${embeddingSize} finite ${what} values` +
         (Array.isArray(values) ? `, it has ${values.length}` : ''));
  }
  return values;
}

/** One style entry: {name, embedding, points (in CONTROL_POINTS order, or null), thumbnail (path or null)}. */
function readStyle(style, index, embeddingSize, controls) {
  if (typeof style !== 'object' || style === null || typeof style.name !== 'string') {
    fail(`style ${index} has no name`);
  }
  const embedding = readValues(style.embedding, style.name, 'embedding', embeddingSize);
  let points = null;
  if (style.controls) {
    if (!controls) fail(`style '${style.name}' has control points but the manifest has no controls`);
    points = CONTROL_POINTS.map((p) => readValues(style.controls[p], style.name, p, embeddingSize));
  }
  return {name: style.name, embedding, points, thumbnail: style.thumbnail || null};
}

/**
 * Parses the manifest text into {modelFile, cameraModelFile (or null),
 * signature, size, embeddingSize, names: {content, embedding, output},
 * controls (or null), styles}.
 */
export function parseManifest(text) {
  let m;
  try {
    m = JSON.parse(text);
  } catch (error) {
    fail(`not valid JSON (${error.message})`);
  }
  if (typeof m !== 'object' || m === null || m.format !== FORMAT) {
    fail(`not a ${FORMAT} file`);
  }
  if (m.format_version !== FORMAT_VERSION) {
    fail(`format version ${m.format_version}, this page reads version ${FORMAT_VERSION}`);
  }
  const {inputs = {}, outputs = {}} = m;
  if (!inputs.content || !inputs.style_embedding || !outputs.stylized) {
    fail('inputs content and style_embedding and output stylized are required');
  }
  if (!Number.isInteger(m.embedding_size) || m.embedding_size <= 0) {
    fail(`embedding_size ${m.embedding_size} is not a positive integer`);
  }
  if (!Array.isArray(m.styles) || m.styles.length === 0) fail('has no styles');
  const controls = readControls(m.controls);
  return {
    modelFile: m.model_file || 'model.tflite',
    cameraModelFile: m.camera_model_file || null,
    signature: m.signature || 'serving_default',
    size: fixedSize(inputs.content.shape, 'content input'),
    embeddingSize: m.embedding_size,
    names: {content: inputs.content.name, embedding: inputs.style_embedding.name,
            output: outputs.stylized.name},
    controls,
    styles: m.styles.map((s, i) => readStyle(s, i, m.embedding_size, controls)),
  };
}
