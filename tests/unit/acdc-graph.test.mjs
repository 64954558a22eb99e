// The test graph has the paper's edge counts (docs/graph.md#edge-counts), so it is a fair stand-in for the crate's.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acdcGraph } from './acdc-graph.mjs';

test('the test graph has the edge counts of docs/graph.md', () => {
  /** @type {[{nLayers: number, nHeads: number, hasMlp?: boolean, usePosEmbed?: boolean}, number, number][]} */
  const cases = [
    [{ nLayers: 12, nHeads: 12, hasMlp: true }, 32923, 32491],
    [{ nLayers: 2, nHeads: 8 }, 305, 257],
    [{ nLayers: 4, nHeads: 8 }, 1377, 1281],
    [{ nLayers: 4, nHeads: 1, hasMlp: true, usePosEmbed: true }, 106, 94],
    [{ nLayers: 2, nHeads: 1, hasMlp: true, usePosEmbed: true }, 38, 32],
  ];
  for (const [shape, edges, addition] of cases) {
    const g = acdcGraph(shape);
    assert.equal(g.counts.edges, edges, JSON.stringify(shape));
    assert.equal(g.counts.addition, addition, JSON.stringify(shape));
  }
});
