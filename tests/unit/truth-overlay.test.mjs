// The ground-truth overlay the page shows once a run on a compiled model is
// done: scored by the crate (`Session.truthOverlay`, crate/src/evaluate/roc.rs)
// and read here through the wasm API as the worker reads it. The shipped
// reverse model's 15 known edges are found among its graph's 106; a circuit is
// scored edge by edge (true positive, miss, extra) with TPR = kept ∩ truth /
// truth and FPR = kept − truth / (edges − truth), over ADD + DC edges.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { groundTruthText, loadModel } from './wasm.mjs';

/** The verdicts of `TruthOverlay.verdict` (www/src/graph/paint.ts `Verdict`). */
const Verdict = { None: 0, TruePositive: 1, Miss: 2, Extra: 3 };

const reverse = groundTruthText('tracr-reverse');
let session;
let graph;
/** The ground truth as edge ids of the reverse model's graph: what an empty circuit misses. */
let truth;
before(async () => {
  session = await loadModel('tracr-reverse');
  graph = session.graph();
  const empty = session.truthOverlay(new Uint8Array(graph.edges.length), reverse);
  truth = new Set(empty.verdict.flatMap((v, e) => (v === Verdict.Miss ? [e] : [])));
});

/** The overlay of the circuit `kept(edge)` leaves. */
const score = (kept) => session.truthOverlay(Uint8Array.from(graph.edges, (e) => (kept(e.id) ? 1 : 0)), reverse);

test("every edge of the reverse ground truth is an edge of the reverse model's graph", () => {
  assert.equal(graph.counts.edges, 106);
  assert.equal(truth.size, 15);
  assert.equal(JSON.parse(reverse).edges.length, 15, 'none of them left unmatched');
  for (const id of truth) assert.notEqual(graph.edges[id].type, 'placeholder');
});

test('the exact circuit is 15 true positives, no misses, no extras', () => {
  const overlay = score((e) => truth.has(e));
  assert.deepEqual(
    { tp: overlay.truePositives, misses: overlay.misses, extras: overlay.extras, tpr: overlay.tpr, fpr: overlay.fpr },
    { tp: 15, misses: 0, extras: 0, tpr: 1, fpr: 0 },
  );
  assert.equal(overlay.verdict.filter((v) => v === Verdict.TruePositive).length, 15);
});

test('a removed truth edge is a miss and a kept other edge an extra', () => {
  const [missed] = truth;
  const extra = graph.edges.find((e) => e.type === 'addition' && !truth.has(e.id)).id;
  const overlay = score((e) => (truth.has(e) && e !== missed) || e === extra);
  assert.equal(overlay.truePositives, 14);
  assert.equal(overlay.misses, 1);
  assert.equal(overlay.extras, 1);
  assert.equal(overlay.verdict[missed], Verdict.Miss);
  assert.equal(overlay.verdict[extra], Verdict.Extra);
  assert.equal(overlay.tpr, 14 / 15);
  assert.equal(overlay.fpr, 1 / (106 - 15));
});

test("a truth of another model's edges is reported, not matched", () => {
  const other = JSON.parse(reverse);
  other.edges.push({ sender: 'blocks.7.attn.hook_result', sender_head: 0, receiver: 'blocks.7.hook_resid_post', receiver_head: null });
  assert.throws(() => session.truthOverlay(new Uint8Array(graph.edges.length), JSON.stringify(other)), /no edge blocks\.7\.attn\.hook_result\[0\]->blocks\.7\.hook_resid_post in this model's graph/);
});

test('the page uses the same verdict numbers as the crate', async () => {
  const { importSrc } = await import('./load-ts.mjs');
  const paint = await importSrc('graph/paint.ts');
  assert.deepEqual({ ...paint.Verdict }, Verdict);
});
