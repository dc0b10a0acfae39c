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

/** One style entry: {name, embedding, thumbnail (path or null)}. */
function readStyle(style, index, embeddingSize) {
  if (typeof style !== 'object' || style === null || typeof style.name !== 'string') {
    fail(`style ${index} has no name`);
  }
  const e = style.embedding;
  if (!Array.isArray(e) || e.length !== embeddingSize || !e.every(Number.isFinite)) {
    fail(`style '${style.name}' needs ${embeddingSize} finite embedding values` +
         (Array.isArray(e) ? `, it has ${e.length}` : ''));
  }
  return {name: style.name, embedding: e, thumbnail: style.thumbnail || null};
}

/**
 * Parses the manifest text into {modelFile, signature, size, embeddingSize,
 * names: {content, embedding, output}, styles}.
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
  return {
    modelFile: m.model_file || 'model.tflite',
    signature: m.signature || 'serving_default',
    size: fixedSize(inputs.content.shape, 'content input'),
    embeddingSize: m.embedding_size,
    names: {content: inputs.content.name, embedding: inputs.style_embedding.name,
            output: outputs.stylized.name},
    styles: m.styles.map((s, i) => readStyle(s, i, m.embedding_size)),
  };
}
