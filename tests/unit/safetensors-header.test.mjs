// The worker's look at a safetensors header (www/src/worker/safetensors-header.ts):
// the largest tensor as f32, whatever the stored dtype; null for what is not
// a safetensors file.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';

let h;
before(async () => {
  h = await importSrc('worker/safetensors-header.ts');
});

/** A header-only file: the data is not needed to size the tensors. */
function file(header) {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + 16);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

test('the largest tensor is sized as f32, buffers and metadata included or skipped as they are', () => {
  const gpt2 = file({
    __metadata__: { format: 'pt' },
    'wte.weight': { dtype: 'F16', shape: [50257, 768], data_offsets: [0, 0] },
    'wpe.weight': { dtype: 'F32', shape: [1024, 768], data_offsets: [0, 0] },
    'h.0.attn.bias': { dtype: 'F32', shape: [1, 1, 1024, 1024], data_offsets: [0, 0] },
  });
  assert.deepEqual(h.largestTensor(gpt2), { name: 'wte.weight', bytes: 50257 * 768 * 4 });
  // A subarray (as the worker may hold) reads the same.
  const padded = new Uint8Array(gpt2.length + 3);
  padded.set(gpt2, 3);
  assert.deepEqual(h.largestTensor(padded.subarray(3)), h.largestTensor(gpt2));
});

test('what is not a safetensors file has no largest tensor', () => {
  assert.equal(h.largestTensor(new Uint8Array(4)), null);
  assert.equal(h.largestTensor(new TextEncoder().encode('<html>not weights</html>')), null);
  const bad = file({});
  bad[8] = 0x7b + 1; // not JSON any more
  assert.equal(h.largestTensor(bad), null);
  assert.equal(h.largestTensor(file({ __metadata__: {} })), null);
});

test('sizes read as people write them', () => {
  assert.equal(h.formatBytes(128 * 1024 * 1024), '128 MiB');
  assert.equal(h.formatBytes(4 * 1024 ** 3), '4 GiB');
  assert.equal(h.formatBytes(50257 * 768 * 4), '154.4 MB');
});
