// The page's words for a run (www/src/explain/): edges named by the crate's
// own labels (DrawnBox.label) and the port they enter, each decision told in
// words then numbers from its event (Δ = metricAfter − metricBefore against
// τ), the end of a run told as what was found. On the real graph of the
// shipped induction model, read through the wasm API as the worker reads it.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';
import { loadModel } from './wasm.mjs';

let narrate;
let words;
let RunState;
let graph;
before(async () => {
  narrate = await importSrc('explain/narrate.ts');
  words = await importSrc('explain/words.ts');
  ({ RunState } = await importSrc('state/run-state.ts'));
  graph = (await loadModel('induction-2l')).graph();
});

const MINUS = '\u2212';

/** The id of the edge from `sender` (hook name, head) to `receiver`. */
function edgeId(sender, senderHead, receiver, receiverHead) {
  const node = (name, head) => graph.nodes.find((n) => n.name === name && n.head === head).id;
  const s = node(sender, senderHead);
  const r = node(receiver, receiverHead);
  const e = graph.edges.find((x) => x.sender === s && x.receiver === r);
  assert.ok(e, `edge ${sender}[${senderHead}] → ${receiver}[${receiverHead}]`);
  return e.id;
}

const status = (over) => ({ tested: 0, removed: 0, kept: 0, remaining: 305, currentMetric: 0, initialMetric: 0, passes: 1, done: false, ...over });
const ctx = () => ({ graph, metric: 'kl', tau: 0.05, ablation: 'resample' });

test('edges are named by the graph’s labels and the port they enter', () => {
  const key = edgeId('blocks.0.attn.hook_result', 2, 'blocks.1.hook_k_input', 3);
  assert.equal(words.edgeName(graph, key), 'A0.2 → A1.3’s key');
  const out = edgeId('blocks.1.attn.hook_result', 4, 'blocks.1.hook_resid_post', null);
  assert.equal(words.edgeName(graph, out), 'A1.4 → logits');
  const dc = edgeId('blocks.1.hook_v_input', 0, 'blocks.1.attn.hook_v', 0);
  assert.equal(words.edgeName(graph, dc), 'A1.0’s value input → value');
  assert.match(words.patchWords(graph, key, 'resample'), /^Removing it feeds A1\.3’s key with what A0\.2 writes on a corrupted prompt/);
  assert.match(words.patchWords(graph, key, 'zero'), /zeros instead of what A0\.2 writes/);
});

test('a decision is told in words first, then its numbers, each named', () => {
  const edge = edgeId('blocks.0.attn.hook_result', 2, 'blocks.1.hook_k_input', 3);
  const kept = narrate.testedNarration(ctx(), { type: 'tested', edge, metricBefore: 0.12, metricAfter: 0.43, removed: false });
  assert.equal(kept.headline, 'Removing A0.2 → A1.3’s key changes the output too much, so ACDC keeps it: the model needs this path.');
  assert.deepEqual(kept.detail, ['KL 0.12 → 0.43 when it is removed: a rise of Δ = +0.31, not below τ = 0.05.']);
  assert.equal(kept.line, 'Removing A0.2 → A1.3’s key: KL rises by 0.31 ≥ τ 0.05, so it is kept.');
  const removed = narrate.testedNarration(ctx(), { type: 'tested', edge, metricBefore: 0.12, metricAfter: 0.124, removed: true });
  assert.match(removed.headline, /barely changes the output, so it stays removed/);
  assert.match(removed.line, /KL rises by only 0\.004 < τ 0\.05, so it is removed/);
  const fell = narrate.testedNarration(ctx(), { type: 'tested', edge, metricBefore: 0.12, metricAfter: 0.11, removed: true });
  assert.ok(fell.detail[0].includes(`Δ = ${MINUS}0.01`), fell.detail[0]);
  assert.match(fell.line, /KL falls by 0\.01/);
});

test('a skipped receiver is told with the number of its edges; placeholders alone are not news', () => {
  const receiver = graph.nodes.find((n) => n.name === 'blocks.1.hook_k_input' && n.head === 7).id;
  const into = graph.edges.filter((e) => e.receiver === receiver).map((e) => e.id);
  const n = narrate.skippedNarration(ctx(), { type: 'skipped', receiver, edgesRemoved: into, metricAfter: 0.2 });
  assert.equal(n.headline, `A1.7’s key no longer feeds anything that is kept, so the ${into.length} edges into it cannot matter: removed without a test.`);
  const result = graph.nodes.find((n) => n.name === 'blocks.1.attn.hook_result' && n.head === 7).id;
  const placeholders = graph.edges.filter((e) => e.receiver === result).map((e) => e.id);
  assert.equal(narrate.skippedNarration(ctx(), { type: 'skipped', receiver: result, edgesRemoved: placeholders, metricAfter: 0.2 }), null);
});

test('the end of a run says how many edges, which heads, the strongest, and the final metric against τ', () => {
  const state = new RunState(graph);
  state.begin(status(), 0);
  const a = edgeId('blocks.0.attn.hook_result', 2, 'blocks.1.hook_k_input', 3);
  const b = edgeId('blocks.1.attn.hook_result', 3, 'blocks.1.hook_resid_post', null);
  const c = edgeId('blocks.1.attn.hook_result', 5, 'blocks.1.hook_resid_post', null);
  state.apply(
    [
      { type: 'tested', edge: b, metricBefore: 0, metricAfter: 0.9, removed: false },
      { type: 'tested', edge: c, metricBefore: 0, metricAfter: 0.04, removed: true },
      { type: 'tested', edge: a, metricBefore: 0.04, metricAfter: 0.35, removed: false },
    ],
    status({ tested: 3, kept: 2, removed: 303, remaining: 0, currentMetric: 0.04, done: true }),
    1,
  );
  const s = narrate.summaryNarration(ctx(), state);
  assert.equal(s.kept, 2);
  assert.deepEqual(s.heads, ['A0.2', 'A1.3']);
  assert.equal(s.headline, 'ACDC found the circuit: 2 of the 305 edges, the paths the model needs for this task.');
  assert.match(s.detail[0], /^It uses 2 of the 16 heads: A0\.2; A1\.3\./);
  assert.match(s.detail[1], /The other 303 were removed: 1 after a test .* 302 untested/);
  assert.match(s.detail[1], /Strongest kept: A1\.3 → logits \(Δ = \+0\.9\); A0\.2 → A1\.3’s key \(Δ = \+0\.31\)\./);
  assert.match(s.detail[2], /KL is 0\.04 \(full model: 0; lower is better\): the 1 removals together changed it by \+0\.04, within τ = 0\.05\./);
});

test('a negated metric says lower is better and how the circuit compares with the full model', () => {
  const state = new RunState(graph);
  state.begin(status({ initialMetric: -6.8, currentMetric: -6.8 }), 0);
  const b = edgeId('blocks.1.attn.hook_result', 3, 'blocks.1.hook_resid_post', null);
  const c = edgeId('blocks.1.attn.hook_result', 5, 'blocks.1.hook_resid_post', null);
  state.apply(
    [
      { type: 'tested', edge: b, metricBefore: -6.8, metricAfter: -2, removed: false },
      { type: 'tested', edge: c, metricBefore: -6.8, metricAfter: -6.75, removed: true },
    ],
    status({ tested: 2, kept: 1, removed: 304, remaining: 0, initialMetric: -6.8, currentMetric: -5.26, done: true }),
    1,
  );
  const s = narrate.summaryNarration({ ...ctx(), metric: 'logit_diff', tau: 0.1 }, state);
  const last = s.detail[2];
  assert.ok(last.includes(`−logit difference is ${MINUS}5.26, against ${MINUS}6.8 for the full model`), last);
  assert.match(last, /lower is better: the circuit does the task a little less well/);
  assert.match(last, /more than τ, since τ limits each removal, not their sum/);
});

test('before a run: what a box, an edge and τ are, with the run’s own metric and τ', () => {
  const intro = narrate.introNarration(ctx());
  const text = [intro.headline, ...intro.detail].join(' ');
  assert.match(text, /each line is an edge, a path by which one part’s output reaches a later part/);
  assert.match(text, /query \(q\), key \(k\) and value \(v\)/);
  assert.match(text, /If KL rises by less than τ = 0\.05, the edge stays removed; otherwise it is kept\./);
});
