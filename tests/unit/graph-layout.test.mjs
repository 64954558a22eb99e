// The layout the page draws: `GraphInfo.layout`, computed by the crate
// (crate/src/graph/layout.rs) and read here through the wasm API as the
// worker reads it, on shipped models. One box per head, MLP, embedding and the
// logits; columns by depth; every ADD/DC edge drawn, from a sender's right
// side to the receiving port; the same every time. The curves between those
// points are the page's (www/src/graph/geometry.ts): hovering finds the edge.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';
import { loadModel } from './wasm.mjs';

let geometry;
/** @type {Record<string, any>} */
const graphs = {};
before(async () => {
  geometry = await importSrc('graph/geometry.ts');
  for (const id of ['induction-2l', 'ioi', 'greater-than', 'tracr-proportion']) graphs[id] = (await loadModel(id)).graph();
});

test('induction-2l: 16 heads, the embedding and the logits in 4 columns', () => {
  const graph = graphs['induction-2l'];
  const { layout } = graph;
  assert.equal(layout.boxes.length, 18);
  assert.deepEqual(layout.columns.map((c) => c.label), ['embed', 'attn 0', 'attn 1', 'logits']);
  assert.equal(layout.boxes.filter((b) => b.kind === 'head').length, 16);
  assert.equal(layout.edges.length, 305, 'every ADD and DC edge, no placeholder');
  assert.equal(layout.edgeIndex.filter((i) => i < 0).length, graph.counts.placeholder);
  // Every node sits in exactly one box; a head's box holds its 7 nodes.
  assert.equal(layout.boxOf.length, graph.nodes.length);
  for (const box of layout.boxes.filter((b) => b.kind === 'head')) assert.equal(box.nodes.length, 7);
});

test('columns follow depth and heads stack by index', () => {
  const { layout } = graphs.ioi;
  assert.deepEqual(
    layout.columns.map((c) => c.label),
    ['embed', 'attn 0', 'MLP 0', 'attn 1', 'MLP 1', 'attn 2', 'MLP 2', 'attn 3', 'MLP 3', 'logits'],
  );
  const xs = layout.columns.map((c) => c.x);
  assert.deepEqual([...xs].sort((a, b) => a - b), xs, 'columns left to right');
  const heads = layout.boxes.filter((b) => b.kind === 'head' && b.layer === 1).sort((a, b) => a.head - b.head);
  assert.equal(heads.length, 4);
  for (let h = 1; h < heads.length; h++) assert.ok(heads[h].y > heads[h - 1].y, 'head h below head h−1');
  for (const box of layout.boxes) {
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.w <= layout.width && box.y + box.h <= layout.height, box.key);
  }
});

test('ADDITION edges run left to right into a port; DC edges are the port marks', () => {
  const { layout } = graphs['greater-than'];
  for (const e of layout.edges) {
    const receiver = layout.boxes[e.receiverBox];
    const sender = layout.boxes[e.senderBox];
    if (e.type === 'addition') {
      assert.ok(e.from.x < e.to.x, `edge ${e.id} goes right`);
      assert.equal(e.from.x, sender.x + sender.w, 'leaves the right side');
      assert.ok(e.to.x <= receiver.x, 'ends at or left of the receiver');
    } else {
      assert.equal(e.senderBox, e.receiverBox, 'a DC edge stays in its head');
      assert.equal(e.from.y, e.to.y, 'a port mark is horizontal');
      assert.equal(e.to.x, receiver.x, 'it ends on the head');
    }
  }
  // q, k and v ports of a head are at three different heights.
  const head = layout.boxes.find((b) => b.key === 'head:1:2');
  const ports = layout.edges.filter((e) => e.type === 'direct_computation' && e.receiverBox === layout.boxes.indexOf(head));
  assert.equal(new Set(ports.map((p) => p.from.y)).size, 3);
});

test('separate token and position embeddings get two input boxes', () => {
  const { layout } = graphs['tracr-proportion'];
  assert.deepEqual(layout.boxes.filter((b) => b.kind === 'input').map((b) => b.key), ['embed', 'pos_embed']);
  assert.equal(layout.edges.length, 38);
});

test('the layout is a function of the graph: the same for the same model, loaded again', async () => {
  const again = await loadModel('induction-2l');
  assert.deepEqual(again.graph().layout, graphs['induction-2l'].layout);
  assert.deepEqual(again.graph().layout, again.graph().layout);
});

test('hovering finds the edge under the pointer', () => {
  const { layout } = graphs['induction-2l'];
  for (const e of layout.edges.slice(0, 40)) {
    assert.ok(geometry.distanceToEdge(e, e.from) < 1e-9);
    assert.ok(geometry.distanceToEdge(e, e.to) < 1e-6);
  }
  const e = layout.edges.find((x) => x.type === 'addition');
  assert.ok(geometry.distanceToEdge(e, { x: e.from.x, y: e.from.y + 50 }) > 10);
});
