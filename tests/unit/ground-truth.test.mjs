// The ground-truth overlay's arithmetic (www/src/ground-truth.ts): the shipped
// reverse model's 15 known edges are found among its graph's 106, and a
// circuit is scored as crate/src/rasp/recovery.rs scores it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { acdcGraph } from './acdc-graph.mjs';
import { importSrc } from './load-ts.mjs';

let g;
before(async () => {
  g = await importSrc('ground-truth.ts');
});

const reverse = JSON.parse(readFileSync(new URL('../../models/tracr-reverse/ground_truth.json', import.meta.url), 'utf8'));
const graph = acdcGraph({ nLayers: 4, nHeads: 1, hasMlp: true, usePosEmbed: true });

test("every edge of the reverse ground truth is an edge of the reverse model's graph", () => {
  assert.equal(graph.counts.edges, 106);
  const truth = g.truthEdges(graph, reverse);
  assert.equal(truth.ids.size, 15);
  assert.deepEqual(truth.unmatched, []);
  for (const id of truth.ids) assert.notEqual(graph.edges[id].type, 'placeholder');
});

test('the exact circuit is 15 true positives, no misses, no extras', () => {
  const truth = g.truthEdges(graph, reverse).ids;
  const score = g.scoreCircuit(graph, truth, (e) => truth.has(e));
  assert.deepEqual(
    { tp: score.truePositives, misses: score.misses, extras: score.extras, tpr: score.tpr, fpr: score.fpr },
    { tp: 15, misses: 0, extras: 0, tpr: 1, fpr: 0 },
  );
  assert.equal(score.verdict.filter((v) => v === g.Verdict.TruePositive).length, 15);
});

test('a removed truth edge is a miss and a kept other edge an extra', () => {
  const truth = g.truthEdges(graph, reverse).ids;
  const [missed] = truth;
  const extra = graph.edges.find((e) => e.type === 'addition' && !truth.has(e.id)).id;
  const kept = (e) => (truth.has(e) && e !== missed) || e === extra;
  const score = g.scoreCircuit(graph, truth, kept);
  assert.equal(score.truePositives, 14);
  assert.equal(score.misses, 1);
  assert.equal(score.extras, 1);
  assert.equal(score.verdict[missed], g.Verdict.Miss);
  assert.equal(score.verdict[extra], g.Verdict.Extra);
  assert.equal(score.tpr, 14 / 15);
  assert.equal(score.fpr, 1 / (106 - 15));
});

test("a truth of another model's edges is reported, not matched", () => {
  const other = { ...reverse, edges: [...reverse.edges, { sender: 'blocks.7.attn.hook_result', sender_head: 0, receiver: 'blocks.7.hook_resid_post', receiver_head: null }] };
  assert.equal(g.truthEdges(graph, other).unmatched.length, 1);
});
