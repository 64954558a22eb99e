// A run as the page rebuilds it from events (www/src/run-state.ts).

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { acdcGraph } from './acdc-graph.mjs';
import { importSrc } from './load-ts.mjs';

let RunState;
let Fate;
before(async () => {
  ({ RunState, Fate } = await importSrc('state/run-state.ts'));
});

const status = (over) => ({
  tested: 0,
  removed: 0,
  kept: 0,
  remaining: 305,
  currentMetric: 0,
  initialMetric: 0,
  passes: 1,
  done: false,
  ...over,
});

test('tested, skipped and done events set each edge’s fate and the metric curve', () => {
  const graph = acdcGraph({ nLayers: 2, nHeads: 8 });
  const state = new RunState(graph);
  state.begin(status(), 0);
  // Edges 3, 4, 6, 7 and 9 are ADD or DC; 5 is a placeholder (acdc-graph.mjs's order).
  const placeholder = 5;
  assert.equal(graph.edges[placeholder].type, 'placeholder');
  state.apply(
    [
      { type: 'tested', edge: 3, metricBefore: 0, metricAfter: 0.01, removed: true },
      { type: 'tested', edge: 4, metricBefore: 0.01, metricAfter: 0.2, removed: false },
      { type: 'skipped', receiver: 9, edgesRemoved: [6, 7, placeholder], metricAfter: 0.01 },
    ],
    status({ tested: 2, remaining: 301, currentMetric: 0.01 }),
    100,
  );
  assert.equal(state.fate[3], Fate.Removed);
  assert.equal(state.fate[4], Fate.Kept);
  assert.equal(state.fate[6], Fate.Skipped);
  assert.equal(state.fate[7], Fate.Skipped);
  assert.equal(state.fate[placeholder], Fate.Untested, 'placeholders are never drawn, so never marked');
  assert.ok(Math.abs(state.delta[4] - 0.19) < 1e-12);
  assert.ok(Number.isNaN(state.delta[6]));
  assert.equal(state.current, 4);
  assert.equal(state.tested, 2);
  assert.equal(state.maxKeptDelta, state.delta[4]);
  assert.deepEqual(
    state.history.map((p) => [p.tested, p.metric]),
    [
      [0, 0],
      [1, 0.01],
      [2, 0.01],
      [2, 0.01],
    ],
  );
  assert.equal(state.remaining, 301);
  assert.ok(state.present(4) && !state.present(3) && !state.present(6) && state.present(9));

  state.apply([{ type: 'done', metric: 0.01 }], status({ done: true, remaining: 0 }), 200);
  assert.equal(state.current, null);
});

test('pace comes from the last few seconds', () => {
  const state = new RunState(acdcGraph({ nLayers: 2, nHeads: 8 }));
  state.begin(status(), 0);
  assert.equal(state.rate, null);
  assert.equal(state.eta, null);
  const tested = (edge) => ({ type: 'tested', edge, metricBefore: 0, metricAfter: 0, removed: true });
  state.apply([tested(0), tested(1)], status({ remaining: 300 }), 500);
  state.apply([tested(2), tested(3)], status({ remaining: 200 }), 1000);
  assert.equal(state.rate, 4);
});

test('the ETA weighs each edge by the layers its test recomputes, so it holds steady as ACDC goes deeper', () => {
  // A run whose edges truly cost 10 ms per layer recomputed (the receiver's layer up, then the
  // unembedding), tested from the logits down as ACDC does: the ETA must track the true time left
  // all the way, where edges per second alone underestimates it while the cheap edges go first.
  const graph = acdcGraph({ nLayers: 4, nHeads: 4, hasMlp: true });
  const cost = (e) => {
    const r = graph.nodes[e.receiver];
    return r.hook === 'resid_post' ? 1 : graph.nLayers - r.layer + 1;
  };
  const order = graph.edges
    .filter((e) => e.type !== 'placeholder')
    .map((e) => ({ id: e.id, layer: graph.nodes[e.receiver].hook === 'resid_post' ? graph.nLayers : graph.nodes[e.receiver].layer, ms: 10 * cost(e) }))
    .sort((a, b) => b.layer - a.layer);
  const total = order.reduce((a, e) => a + e.ms, 0);
  const state = new RunState(graph);
  state.begin(status({ remaining: order.length }), 0);
  let now = 0;
  let checked = 0;
  for (const [i, e] of order.entries()) {
    now += e.ms;
    const remaining = order.length - i - 1;
    state.apply([{ type: 'tested', edge: e.id, metricBefore: 0, metricAfter: 0, removed: true }], status({ remaining }), now);
    const eta = state.eta;
    if (now < 1000 || eta === null || remaining === 0) continue;
    const truth = (total - now) / 1000;
    assert.ok(Math.abs(eta - truth) <= 0.02 * truth + 0.05, `after ${i + 1} edges: ETA ${eta.toFixed(2)} s, truly ${truth.toFixed(2)} s`);
    checked++;
  }
  assert.ok(checked > 20, `checked the ETA at ${checked} points`);
  // Skipped edges leave the work to do without adding to the pace.
  const fresh = new RunState(graph);
  fresh.begin(status(), 0);
  const [a, b] = order;
  fresh.apply([{ type: 'tested', edge: a.id, metricBefore: 0, metricAfter: 0, removed: true }], status(), 500);
  const before = fresh.eta;
  fresh.apply([{ type: 'skipped', receiver: graph.edges[b.id].receiver, edgesRemoved: [b.id], metricAfter: 0 }], status(), 500);
  assert.ok(before !== null && fresh.eta !== null && fresh.eta < before, 'a skip shortens the time left');
});
