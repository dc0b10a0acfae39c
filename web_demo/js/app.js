/**
 * The page: loads styles.json and model.tflite from its own folder, lets the
 * user pick a photo and weigh the styles, blends the embedding here and runs
 * the model with LiteRT.js (WebGPU when the browser has it, else WebAssembly
 * on the CPU; ?accelerator=wasm forces the CPU). One photo at a time, fitted
 * to the model's fixed square size, or the camera's frames one after the
 * other (getUserMedia), each rendered as soon as the last is shown, by the
 * manifest's camera model where it names one (the same styles in a network
 * fine-tuned so that its strokes follow motion), else by the model.
 */
import {blendStyles, normalize} from './blend.js';
import {parseManifest} from './manifest.js';
import {fitSquare, toRgba, toTensor} from './pixels.js';

const WASM_DIR = './node_modules/@litertjs/core/wasm/';
const $ = (id) => document.getElementById(id);

let litert = null;    // the @litertjs/core module
let manifest = null;  // parsed styles.json
let runner = null;    // the model's signature runner
let cameraRunner = null;  // the camera model's, or the model's
let accelerator = null;
let hasPhoto = false;
let camera = null;    // the camera's MediaStream while the camera mode runs

/**
 * Shows progress. For tests: <body data-state> is loading, ready, rendering or
 * error, <body data-renders> counts the finished renders, while the camera
 * runs <body data-camera-frames> and data-camera-fps count its frames,
 * data-camera-model names the file that renders them, and data-camera-running
 * is "false" once its last frame is shown.
 */
function setStatus(state, message) {
  document.body.dataset.state = state;
  $('status').textContent = message;
  $('render').disabled = !(state === 'ready' && hasPhoto) || camera !== null;
  $('camera').disabled = runner === null || !navigator.mediaDevices;
}

/** Shows an error on the page instead of leaving it blank. */
function showError(error, state = 'error') {
  $('error').hidden = false;
  $('error').textContent = `Error: ${error.message || error}`;
  setStatus(state, state === 'error' ? 'The page cannot run the model.' : 'Ready.');
}

async function fetchOk(file) {
  let response;
  try {
    response = await fetch(file);
  } catch (error) {
    throw new Error(`cannot load ${file}: ${error.message}`);
  }
  if (!response.ok) {
    throw new Error(`cannot load ${file}: HTTP ${response.status} ${response.statusText}` +
                    ' (export it with python -m export.to_tflite --web_demo web_demo)');
  }
  return response;
}

/**
 * Shows the stroke and intensity sliders where the manifest has controls,
 * with their ends from it (styles without points then refuse settings other
 * than 1 when rendered).
 */
function showLook() {
  const controls = manifest.controls;
  $('look').hidden = !controls;
  if (!controls) return;
  Object.assign($('stroke'), {min: controls.strokeRange[0], max: controls.strokeRange[1]});
  $('strength').max = controls.maxStrength;
  for (const id of ['stroke', 'strength']) {
    const show = () => { $(`${id}-value`).textContent = `${Number($(id).value)}×`; };
    $(id).addEventListener('input', show);
    show();
  }
}

/** The embedding of the styles with a positive weight, at the look's settings. */
function styleEmbedding() {
  const raw = weights();
  const chosen = manifest.styles.filter((s, i) => raw[i] > 0);
  const stroke = manifest.controls ? Number($('stroke').value) : 1.0;
  const strength = manifest.controls ? Number($('strength').value) : 1.0;
  return blendStyles(chosen.length ? chosen : manifest.styles, chosen.length ? raw.filter((w) => w > 0) : raw,
                     manifest.controls, stroke, strength);
}

/** The raw slider values, in manifest order. */
function weights() {
  return [...document.querySelectorAll('#styles input')].map((s) => Number(s.value));
}

/** Shows each style's normalised share next to its slider. */
function showShares() {
  let shares;
  try {
    shares = normalize(weights());
  } catch {
    shares = weights().map(() => 0);
  }
  document.querySelectorAll('#styles output').forEach((out, i) => {
    out.textContent = `${Math.round(shares[i] * 100)} %`;
  });
}

function styleItem(style, index) {
  const item = document.createElement('li');
  const picture = document.createElement(style.thumbnail ? 'img' : 'div');
  if (style.thumbnail) {
    picture.src = style.thumbnail;
    picture.alt = style.name;
  } else {
    picture.className = 'no-thumbnail';
  }
  const label = document.createElement('label');
  label.textContent = `${style.name} `;
  label.append(document.createElement('output'));
  const slider = Object.assign(document.createElement('input'), {
    type: 'range', min: 0, max: 100, step: 1, value: index === 0 ? 100 : 0,
  });
  slider.dataset.style = style.name;
  slider.setAttribute('aria-label', `weight of ${style.name}`);
  slider.addEventListener('input', showShares);
  item.append(picture, label, slider);
  return item;
}

/** Compiles the model on WebGPU if possible, else on the CPU (WebAssembly). */
async function compile(bytes) {
  const wanted = new URLSearchParams(location.search).get('accelerator');
  const choices = wanted ? [wanted] : (litert.isWebGPUSupported() ? ['webgpu', 'wasm'] : ['wasm']);
  for (const choice of choices) {
    try {
      const model = await litert.loadAndCompile(bytes, {accelerator: choice});
      accelerator = choice;
      return model;
    } catch (error) {
      if (choice === choices.at(-1)) throw error;
      console.warn(`${choice} failed, trying the next accelerator:`, error);
    }
  }
}

/** Fails unless the model's content input is the manifest's size. */
function checkModel(signature, file) {
  const content = signature.getInputDetails().find((d) => d.name === manifest.names.content);
  const expected = [1, manifest.size, manifest.size, 3].join(',');
  if (!content || [...content.shape].join(',') !== expected) {
    throw new Error(`${file} has no content input of shape [${expected}]; ` +
                    'export the files again with --web_demo');
  }
}

/** Downloads and compiles a model file; returns its checked signature runner. */
async function loadRunner(file) {
  const response = await fetchOk(file);
  const megabytes = (Number(response.headers.get('content-length')) / 1e6).toFixed(1);
  setStatus('loading', `Downloading ${file} (${megabytes} MB) …`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  setStatus('loading', `Compiling ${file} …`);
  const model = await compile(bytes);
  const signature = model.signatures[manifest.signature];
  if (!signature) throw new Error(`${file} has no signature '${manifest.signature}'`);
  checkModel(signature, file);
  return signature;
}

async function start() {
  setStatus('loading', 'Loading styles.json …');
  manifest = parseManifest(await (await fetchOk('styles.json')).text());
  $('styles').append(...manifest.styles.map(styleItem));
  showShares();
  showLook();
  setStatus('loading', 'Loading the LiteRT.js runtime …');
  try {
    litert = await import('@litertjs/core');
  } catch (error) {
    throw new Error(`cannot load the LiteRT.js runtime (run npm ci in web_demo): ${error.message}`);
  }
  await litert.loadLiteRt(WASM_DIR);
  runner = await loadRunner(manifest.modelFile);
  cameraRunner = manifest.cameraModelFile ? await loadRunner(manifest.cameraModelFile) : runner;
  document.body.dataset.cameraModel = manifest.cameraModelFile || manifest.modelFile;
  setStatus('ready', `Ready (${accelerator === 'wasm' ? 'CPU, WebAssembly' : accelerator}). ` +
                     `Choose a photo; it is used at ${manifest.size}×${manifest.size}.`);
}

/**
 * Draws the central square of an image or video frame (width × height) on
 * the photo canvas, scaled to the model's size; returns fitSquare's note.
 */
function drawSquare(source, width, height) {
  const size = manifest.size;
  const {crop, note} = fitSquare(width, height, size);
  const canvas = $('photo');
  if (canvas.width !== size) Object.assign(canvas, {width: size, height: size});
  const context = canvas.getContext('2d', {willReadFrequently: true});
  context.fillStyle = '#fff';  // transparent pixels count as white
  context.fillRect(0, 0, size, size);
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, crop.x, crop.y, crop.side, crop.side, 0, 0, size, size);
  return note;
}

/** Draws the photo's central square, scaled to the model's size. */
async function usePhoto(file) {
  if (!file || !manifest) return;
  let image;
  try {
    image = await createImageBitmap(file);
  } catch {
    showError(new Error(`${file.name} is not an image this browser can read`), 'ready');
    return;
  }
  const note = drawSquare(image, image.width, image.height);
  image.close();
  $('photo-note').textContent = note;
  hasPhoto = true;
  if (runner) setStatus('ready', 'Ready. Set the weights and render.');
}

/**
 * Runs a signature runner (the page's model unless given) on the photo canvas
 * with the blended embedding; shows the result.
 */
async function render(using = runner) {
  const size = manifest.size;
  const embedding = styleEmbedding();
  setStatus('rendering', 'Rendering …');
  const rgba = $('photo').getContext('2d').getImageData(0, 0, size, size).data;
  const start = performance.now();
  const content = new litert.Tensor(toTensor(rgba), [1, size, size, 3]);
  const style = new litert.Tensor(embedding, [1, manifest.embeddingSize]);
  let outputs;
  try {
    outputs = await using.run({[manifest.names.content]: content,
                                [manifest.names.embedding]: style});
  } finally {
    content.delete();
    style.delete();
  }
  const output = outputs[manifest.names.output];
  const rgb = await output.data();
  output.delete();
  const milliseconds = Math.round(performance.now() - start);
  const canvas = Object.assign($('pastiche'), {width: size, height: size});
  canvas.getContext('2d').putImageData(new ImageData(toRgba(rgb), size, size), 0, 0);
  canvas.dataset.renderMs = milliseconds;
  $('timing').textContent = `Pastiche: ${size}×${size} in ${milliseconds} ms (${accelerator})`;
  $('error').hidden = true;
  document.body.dataset.renders = Number(document.body.dataset.renders || 0) + 1;
  setStatus('ready', `Rendered in ${milliseconds} ms. Change the weights or the photo and render again.`);
}

/** Starts the camera mode: each frame is drawn and rendered in turn. */
async function startCamera() {
  try {
    camera = await navigator.mediaDevices.getUserMedia({video: {width: 640, height: 480}});
  } catch (error) {
    camera = null;
    showError(new Error(`the camera is not available: ${error.message}`), 'ready');
    return;
  }
  const video = $('camera-video');
  video.srcObject = camera;
  await video.play();
  $('camera').textContent = 'Stop camera';
  $('camera').setAttribute('aria-pressed', 'true');
  const start = performance.now();
  let frames = 0;
  hasPhoto = true;
  document.body.dataset.cameraRunning = 'true';
  while (camera !== null) {
    $('photo-note').textContent = drawSquare(video, video.videoWidth, video.videoHeight);
    await render(cameraRunner);
    frames += 1;
    const fps = frames / ((performance.now() - start) / 1000);
    document.body.dataset.cameraFrames = frames;
    document.body.dataset.cameraFps = fps.toFixed(2);
    setStatus('ready', `Camera: ${frames} frames, ${fps.toFixed(1)} frames/s.`);
    // Let the page handle its events (the Stop button) between frames: a
    // WebAssembly run resolves without giving the event loop a turn.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  document.body.dataset.cameraRunning = 'false';
}

/** Stops the camera mode; the last frame and pastiche stay on the page. */
function stopCamera() {
  camera.getTracks().forEach((track) => track.stop());
  camera = null;
  $('camera-video').srcObject = null;
  $('camera').textContent = 'Camera';
  $('camera').setAttribute('aria-pressed', 'false');
  setStatus('ready', 'Camera stopped. Render again, or start the camera.');
}

function wireInputs() {
  const drop = $('drop');
  $('photo-file').addEventListener('change', (e) => usePhoto(e.target.files[0]));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    usePhoto(e.dataTransfer.files[0]);
  });
  $('render').addEventListener('click', () => render().catch((e) => showError(e, 'ready')));
  $('camera').addEventListener('click', () => {
    if (camera) stopCamera();
    else startCamera().catch((e) => { if (camera) stopCamera(); showError(e, 'ready'); });
  });
}

wireInputs();
start().catch((error) => showError(error));
