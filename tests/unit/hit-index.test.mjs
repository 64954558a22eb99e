// Hovering GPT-2 small's 32,923 edges goes through a spatial index
// (www/src/graph/hit-index.ts): it must find what measuring every edge finds,
// on the crate's layouts of shipped models reflowed into a laptop's panel as
// the page draws them (graph/layout.ts), and on as many random curves as GPT-2
// small draws, as densely packed (random curves keep this test free of the
// wasm module; tests/e2e/graph-scale.test.mjs hovers the crate's layout in the
// page). Collapsing a
// layer (graph/collapse.ts) merges its heads' edges, loses none, and expanding
// it gives the layout back.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';
import { mulberry32 } from './rng.mjs';
import { loadModel } from './wasm.mjs';

let geometry;
let HitIndex;
let fitLayout;
let collapseLayers;
/** The crate's layouts of shipped models. */
let docstring;
let ioi;
const PANEL = { width: 636, height: 320 };

before(async () => {
  geometry = await importSrc('graph/geometry.ts');
  ({ HitIndex } = await importSrc('graph/hit-index.ts'));
  ({ fitLayout } = await importSrc('graph/layout.ts'));
  ({ collapseLayers } = await importSrc('graph/collapse.ts'));
  docstring = (await loadModel('docstring-4l')).graph().layout;
  ioi = (await loadModel('ioi')).graph().layout;
});

/** Per edge list, its curves sampled once (the brute force measures them many times). */
const polylines = new WeakMap();

/** What hovering did before the index: every accepted edge measured, the first of the nearest wins. */
function bruteForce(edges, p, reach, accept) {
  let best = reach;
  let hit = -1;
  const stride = 2 * (geometry.SAMPLES + 1);
  let curves = polylines.get(edges);
  if (curves === undefined) {
    curves = new Float64Array(edges.length * stride);
    edges.forEach((e, i) => geometry.samplePolyline(e, curves, i * stride));
    polylines.set(edges, curves);
  }
  edges.forEach((e, i) => {
    if (!accept(e)) return;
    // distanceToEdge, on curves sampled once.
    const d = geometry.polylineDistance(curves, i * stride, p);
    if (d < best) [best, hit] = [d, i];
  });
  return hit;
}

/** Points to hover: anywhere on the layout, and half of them a few units off a random edge's curve. */
function samplePoints(layout, n, seed) {
  const next = mulberry32(seed);
  const points = [];
  const curve = new Float64Array(2 * (geometry.SAMPLES + 1));
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      points.push({ x: next() * layout.width, y: next() * layout.height });
      continue;
    }
    const e = layout.edges[Math.floor(next() * layout.edges.length)];
    geometry.samplePolyline(e, curve, 0);
    const s = Math.floor(next() * geometry.SAMPLES);
    const t = next();
    const x = curve[2 * s] + t * (curve[2 * s + 2] - curve[2 * s]);
    const y = curve[2 * s + 1] + t * (curve[2 * s + 3] - curve[2 * s + 1]);
    points.push({ x: x + (next() - 0.5) * 8, y: y + (next() - 0.5) * 8 });
  }
  return points;
}

/** GPT-2 small's count of curves, left to right between random points of its reflowed layout's size (1674 × 460). */
function randomCurves(n, seed) {
  const next = mulberry32(seed);
  const [width, height] = [1674, 460];
  const edges = [];
  for (let id = 0; id < n; id++) {
    const x = next() * (width - 80);
    const from = { x, y: next() * height };
    const to = { x: x + 20 + next() * (width - x - 20), y: next() * height };
    edges.push({ id, type: 'addition', from, to, sender: 0, receiver: 0, senderBox: 0, receiverBox: 0 });
  }
  return { width, height, edges };
}

test('as many curves as GPT-2 small draws: the index finds what measuring every edge finds', () => {
  const layout = randomCurves(32_923, 1);
  const index = new HitIndex(layout.edges, 5, layout.width, layout.height);
  const everyOther = (e) => e.id % 2 === 0;
  let hits = 0;
  for (const p of samplePoints(layout, 200, 1)) {
    const found = index.nearest(p);
    assert.equal(found, bruteForce(layout.edges, p, 5, () => true), `at ${p.x.toFixed(2)}, ${p.y.toFixed(2)}`);
    assert.equal(index.nearest(p, everyOther), bruteForce(layout.edges, p, 5, everyOther), 'with a filter ("circuit only")');
    if (found >= 0) hits++;
    // A cell holds far fewer edges than the graph: what makes a hover cheap.
    assert.ok(index.candidates(p).length < layout.edges.length / 4, `${index.candidates(p).length} candidates`);
  }
  assert.ok(hits > 100, `${hits} points over an edge`);
});

test('docstring in a laptop’s panel: every point hovers as before', () => {
  const layout = fitLayout(docstring, PANEL);
  const index = new HitIndex(layout.edges, 5, layout.width, layout.height);
  for (const p of samplePoints(layout, 600, 3)) assert.equal(index.nearest(p), bruteForce(layout.edges, p, 5, () => true));
});

test('ioi in a laptop’s panel: the layout fills it, and every point hovers as before', () => {
  const layout = fitLayout(ioi, PANEL);
  assert.ok(layout.width <= PANEL.width * 1.05 && layout.width >= PANEL.width * 0.9, `width ${layout.width}`);
  assert.ok(layout.height <= PANEL.height * 1.05 && layout.height >= PANEL.height * 0.8, `height ${layout.height}`);
  for (const [i, e] of layout.edges.entries()) {
    const [s, r] = [layout.boxes[e.senderBox], layout.boxes[e.receiverBox]];
    if (e.type === 'addition') assert.equal(e.from.x, s.x + s.w, `edge ${i} leaves its sender's right side`);
    assert.ok(e.to.x <= r.x, `edge ${i} ends at or left of its receiver`);
  }
  const index = new HitIndex(layout.edges, 5, layout.width, layout.height);
  for (const p of samplePoints(layout, 600, 2)) assert.equal(index.nearest(p), bruteForce(layout.edges, p, 5, () => true));
});

test('collapsing a layer merges its heads’ edges, loses none, and expanding gives the layout back', () => {
  const layout = fitLayout(ioi, PANEL);
  const { layout: shut, members } = collapseLayers(layout, new Set([1]));
  assert.equal(shut.boxes.length, layout.boxes.length - 3, 'four heads became one box');
  const merged = shut.boxes.find((b) => b.key === 'layer:1');
  assert.ok(merged);
  assert.equal(merged.nodes.length, 4 * 7);
  assert.ok(shut.edges.length < layout.edges.length, `${shut.edges.length} < ${layout.edges.length} drawn edges`);
  // Every graph edge is drawn once: as itself or as a member of exactly one merged edge.
  const seen = new Map();
  shut.edges.forEach((e, i) => {
    for (const id of members[i] ?? [e.id]) {
      assert.ok(!seen.has(id), `edge ${id} drawn twice`);
      seen.set(id, i);
      assert.equal(shut.edgeIndex[id], i, `edgeIndex of ${id}`);
    }
  });
  assert.equal(seen.size, layout.edges.length);
  for (const [i, ids] of members.entries()) {
    if (ids === null) continue;
    const e = shut.edges[i];
    assert.ok(shut.boxes[e.senderBox] === merged || shut.boxes[e.receiverBox] === merged, 'only a collapsed layer’s edges merge');
  }
  assert.deepEqual(collapseLayers(layout, new Set()).layout, layout, 'expanded: the layout itself');
});
