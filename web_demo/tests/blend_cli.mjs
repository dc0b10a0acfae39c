// Blends the embeddings of a styles.json with js/blend.js, for the Python test
// that compares them with export.manifest.blend_embeddings bit for bit.
//
//   node tests/blend_cli.mjs styles.json 0,1 0.3,0.7   → JSON list of floats
import fs from 'node:fs';
import {blend} from '../js/blend.js';

const [manifestPath, indices, weights] = process.argv.slice(2);
const styles = JSON.parse(fs.readFileSync(manifestPath, 'utf8')).styles;
const embeddings = indices.split(',').map((i) => styles[Number(i)].embedding);
console.log(JSON.stringify(Array.from(blend(embeddings, weights.split(',').map(Number)))));
