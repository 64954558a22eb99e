// The wasm module the page's worker runs (www/src/pkg/, built by
// scripts/build-wasm.sh), loaded into node on the CPU backend, and the shipped
// models as wasm Sessions: unit tests check what the page takes from the crate
// (the graph's layout, the ground-truth overlay) on the real thing.

import { readFileSync } from 'node:fs';

const PKG = new URL('../../www/src/pkg/', import.meta.url);
const MODELS = new URL('../../models/', import.meta.url);

/** @type {Promise<typeof import('../../www/src/pkg/circuitscope.js')> | null} */
let ready = null;

/** The wasm API, instantiated once, on the CPU backend. */
export function wasm() {
  ready ??= (async () => {
    const pkg = await import(new URL('circuitscope.js', PKG).href);
    pkg.initSync({ module: readFileSync(new URL('circuitscope_bg.wasm', PKG)) });
    await pkg.initBackend('cpu');
    return pkg;
  })();
  return ready;
}

/** A shipped model (`models/<id>/`) as a Session. */
export async function loadModel(id) {
  const { Session } = await wasm();
  const file = (name) => new URL(`${id}/${name}`, MODELS);
  return Session.load(readFileSync(file('config.json'), 'utf8'), readFileSync(file('model.safetensors')), readFileSync(file('tokenizer.json'), 'utf8'));
}

/** A shipped model's ground_truth.json, as text. */
export function groundTruthText(id) {
  return readFileSync(new URL(`${id}/ground_truth.json`, MODELS), 'utf8');
}
