// The GPT-2 stand-in of the e2e tests: a small random checkpoint with Hugging
// Face GPT-2 names (the real file's layout: no `transformer.` prefix,
// causal-mask buffers, tied lm_head) and GPT-2's vocabulary and context, so
// models/gpt2/tokenizer.json applies and GPT-2's tasks (the paper's IOI rows)
// run on it. The real weights (548 MB) are never fetched by the tests.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../unit/rng.mjs';
import { ROOT } from './harness.mjs';

/** Where the page fetches GPT-2 small's weights from (models/gpt2/remote.json), routed to the stand-in. */
export const GPT2_URL = JSON.parse(readFileSync(join(ROOT, 'models/gpt2/remote.json'), 'utf8')).url;

/** GPT-2's config with a small body: 2 layers, 4 heads, n_embd 64, the real vocabulary and context. */
export const CONFIG = {
  ...JSON.parse(readFileSync(join(ROOT, 'models/gpt2/config.json'), 'utf8')),
  _name_or_path: 'gpt2-random-test',
  n_layer: 2,
  n_head: 4,
  n_embd: 64,
};

/**
 * A random GPT-2 checkpoint as Hugging Face's model.safetensors lays it out:
 * `wte.weight`, `wpe.weight`, `h.{l}.{ln_1,attn.c_attn,attn.c_proj,ln_2,mlp.c_fc,mlp.c_proj}.{weight,bias}`
 * (Conv1D weights as [in, out]), `h.{l}.attn.bias` (the causal mask buffer), `ln_f.{weight,bias}`;
 * no lm_head (tied). Safetensors: 8-byte little-endian header length, JSON header, f32 data.
 */
export function randomGpt2(config, seed) {
  const { n_layer: layers, n_embd: d, vocab_size: vocab, n_positions: ctx } = config;
  const next = mulberry32(seed);
  const normal = (std) => () => std * (next() + next() + next() - 1.5) * 2;
  /** @type {[string, number[], () => number][]} */
  const tensors = [
    ['wte.weight', [vocab, d], normal(0.1)],
    ['wpe.weight', [ctx, d], normal(0.02)],
  ];
  for (let l = 0; l < layers; l++) {
    const p = `h.${l}`;
    tensors.push(
      [`${p}.ln_1.weight`, [d], () => 1 + normal(0.1)()],
      [`${p}.ln_1.bias`, [d], normal(0.02)],
      [`${p}.attn.bias`, [1, 1, ctx, ctx], () => 0],
      [`${p}.attn.c_attn.weight`, [d, 3 * d], normal(0.2)],
      [`${p}.attn.c_attn.bias`, [3 * d], normal(0.02)],
      [`${p}.attn.c_proj.weight`, [d, d], normal(0.1)],
      [`${p}.attn.c_proj.bias`, [d], normal(0.02)],
      [`${p}.ln_2.weight`, [d], () => 1 + normal(0.1)()],
      [`${p}.ln_2.bias`, [d], normal(0.02)],
      // Wide enough that many MLP inputs pass 12.3, where GPT-2's GELU asks tanh of more than
      // 89: NaN in WGSL on some devices unless the model clamps it (crate/src/model/mlp.rs).
      [`${p}.mlp.c_fc.weight`, [d, 4 * d], normal(1)],
      [`${p}.mlp.c_fc.bias`, [4 * d], normal(0.02)],
      [`${p}.mlp.c_proj.weight`, [4 * d, d], normal(0.05)],
      [`${p}.mlp.c_proj.bias`, [d], normal(0.02)],
    );
  }
  tensors.push(['ln_f.weight', [d], () => 1 + normal(0.1)()], ['ln_f.bias', [d], normal(0.02)]);

  const header = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape] of tensors) {
    const bytes = 4 * shape.reduce((a, b) => a * b, 1);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  out.write(json, 8, 'utf8');
  const data = new Float32Array(out.buffer, out.byteOffset + 8 + json.length, offset / 4);
  let i = 0;
  for (const [name, shape, value] of tensors) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (name.endsWith('.attn.bias')) {
      // The lower-triangular mask, as Hugging Face stores it.
      for (let q = 0; q < ctx; q++) for (let k = 0; k < ctx; k++) data[i + q * ctx + k] = k <= q ? 1 : 0;
      i += n;
    } else {
      for (let j = 0; j < n; j++) data[i++] = value();
    }
  }
  return out;
}

/**
 * GPT-2 small's graph with a tiny body: its 12 layers of 12 heads (so its 32,923 edges), a
 * 48-wide residual stream (d_head 4) and a 64-token context, for drawing it without its weights.
 */
export const GPT2_SHAPE = { ...CONFIG, _name_or_path: 'gpt2-shape-random', n_layer: 12, n_head: 12, n_embd: 48, n_ctx: 64, n_positions: 64 };

/**
 * Serves `weights` at Hugging Face's URL and `config` as /models/gpt2/config.json to every page of
 * `context`, so "Load GPT-2 small" loads them; `hit` counts the requests ('weights', 'config').
 * @param {import('playwright-core').BrowserContext} context
 * @param {Record<string, unknown>} config
 * @param {Buffer} weights
 * @param {(what: 'weights' | 'config') => void} [hit]
 */
export async function routeGpt2(context, config, weights, hit = () => {}) {
  await context.route(GPT2_URL, (route) => {
    hit('weights');
    return route.fulfill({ status: 200, body: weights, headers: { 'content-type': 'application/octet-stream', 'access-control-allow-origin': '*' } });
  });
  await context.route('**/models/gpt2/config.json', (route) => {
    hit('config');
    return route.fulfill({ status: 200, body: JSON.stringify(config), contentType: 'application/json' });
  });
}
