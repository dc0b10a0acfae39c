// Blends the styles of a styles.json with js/blend.js, for the Python tests
// that compare them with Python's blends bit for bit.
//
//   node tests/blend_cli.mjs styles.json 0,1 0.3,0.7 [STROKE STRENGTH]   → JSON list of floats
import fs from 'node:fs';
import {blendStyles} from '../js/blend.js';
import {parseManifest} from '../js/manifest.js';

const [manifestPath, indices, weights, stroke = '1', strength = '1'] = process.argv.slice(2);
const manifest = parseManifest(fs.readFileSync(manifestPath, 'utf8'));
const styles = indices.split(',').map((i) => manifest.styles[Number(i)]);
console.log(JSON.stringify(Array.from(blendStyles(styles, weights.split(',').map(Number),
    manifest.controls, Number(stroke), Number(strength)))));
