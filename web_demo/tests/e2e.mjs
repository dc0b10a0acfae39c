// Drives the page in headless Chromium (Debian's /usr/bin/chromium, or
// $CHROMIUM) and prints one JSON line: {state, error, status, photoNote,
// renderMs: [...], accelerator, cameraFrames, cameraFps, cameraModel}.
//
//   node tests/e2e.mjs --url http://127.0.0.1:8000/ [--photo photo.png]
//       [--weights a=1,b=1] [--stroke S] [--strength K] [--runs 3] [--pixels out.rgba]
//       [--screenshot out.png] [--camera FRAMES] [--photo_pixels in.rgba]
//
// Without --photo it only waits until the page is ready or shows an error.
// --pixels writes the pastiche canvas as raw RGBA bytes (size × size × 4),
// --photo_pixels the photo canvas (what was rendered).
// --camera runs the camera mode on Chromium's fake camera until FRAMES
// frames are rendered, then stops it (the last frame and its pastiche stay).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {chromium} from 'playwright-core';

const TIMEOUT_MS = 180_000;
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // A test pattern as the camera, granted without asking.
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
];

const {values: args} = parseArgs({options: {
  url: {type: 'string'}, photo: {type: 'string'}, weights: {type: 'string', default: ''},
  runs: {type: 'string', default: '1'}, pixels: {type: 'string'}, screenshot: {type: 'string'},
  camera: {type: 'string'}, stroke: {type: 'string'}, strength: {type: 'string'},
  photo_pixels: {type: 'string'},
}});
if (!args.url) throw new Error('--url is required');

/** Waits until the page is ready (or rendered `renders` times) or shows an error. */
async function settle(page, renders = 0) {
  await page.waitForFunction((n) => {
    const body = document.body;
    return body.dataset.state === 'error' || !document.getElementById('error').hidden ||
        (body.dataset.state === 'ready' && Number(body.dataset.renders || 0) >= n);
  }, renders, {timeout: TIMEOUT_MS});
}

async function summary(page, renderMs) {
  return page.evaluate((ms) => {
    const error = document.getElementById('error');
    return {state: document.body.dataset.state, error: error.hidden ? null : error.textContent,
            status: document.getElementById('status').textContent,
            photoNote: document.getElementById('photo-note').textContent,
            timing: document.getElementById('timing').textContent, renderMs: ms,
            cameraFrames: Number(document.body.dataset.cameraFrames || 0),
            cameraFps: Number(document.body.dataset.cameraFps || 0),
            cameraModel: document.body.dataset.cameraModel || null};
  }, renderMs);
}

/** A canvas's RGBA bytes (putImageData/getImageData: no colour management). */
async function canvasPixels(page, id) {
  const base64 = await page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId);
    const bytes = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  }, id);
  return Buffer.from(base64, 'base64');
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS,
    viewport: {width: 1280, height: 800},
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error.message));
    await page.goto(args.url);
    await settle(page);
    const renderMs = [];
    if (args.photo && (await summary(page)).state === 'ready') {
      await page.setInputFiles('#photo-file', args.photo);
      await page.waitForFunction(() => !document.getElementById('render').disabled);
      const pairs = args.weights.split(',').filter(Boolean).map((p) => p.split('='));
      if (pairs.length) {
        for (const slider of await page.locator('#styles input').all()) await slider.fill('0');
      }
      for (const [name, value] of pairs) {
        await page.fill(`#styles input[data-style="${name}"]`, value);
      }
      for (const id of ['stroke', 'strength']) {
        if (args[id] !== undefined) await page.fill(`#${id}`, args[id]);
      }
      for (let run = 1; run <= Number(args.runs); run++) {
        await page.click('#render');
        await settle(page, run);
        renderMs.push(Number(await page.getAttribute('#pastiche', 'data-render-ms')));
      }
    }
    if (args.camera && (await summary(page)).state === 'ready') {
      await page.click('#camera');
      await page.waitForFunction((n) => !document.getElementById('error').hidden ||
          Number(document.body.dataset.cameraFrames || 0) >= n, Number(args.camera),
      {timeout: TIMEOUT_MS});
      if (await page.getAttribute('#camera', 'aria-pressed') === 'true') {
        await page.click('#camera');
      }
      await page.waitForFunction(() => document.body.dataset.cameraRunning !== 'true',
          null, {timeout: TIMEOUT_MS});
    }
    if (args.pixels) fs.writeFileSync(args.pixels, await canvasPixels(page, 'pastiche'));
    if (args.photo_pixels) fs.writeFileSync(args.photo_pixels, await canvasPixels(page, 'photo'));
    if (args.screenshot) await page.screenshot({path: args.screenshot, fullPage: true});
    console.log(JSON.stringify(await summary(page, renderMs)));
  } finally {
    await context.close();
    fs.rmSync(profile, {recursive: true, force: true});
  }
}

await main();
