// The RASP editor's pure helpers: an error's line and column become the
// textarea offset it selects, and the residual layout names writers as the
// graph view does (by the graph's own node labels, read through the wasm API).

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';
import { groundTruthText, loadModel, wasm } from './wasm.mjs';

let editor;
let layout;
before(async () => {
  editor = await importSrc('views/rasp-editor.ts');
  layout = await importSrc('views/residual-layout.ts');
});

test("an error's 1-based line and column is an offset into the text, clamped to it", () => {
  const text = 'vocab = {1, 2}\nmax_seq_len = 3\nx = Map(x -> x +, tokens)';
  assert.equal(text[editor.offsetOf(text, 3, 17)], ',');
  assert.equal(editor.offsetOf(text, 1, 1), 0);
  assert.equal(editor.offsetOf(text, 9, 1), text.length, 'past the last line');
  assert.equal(editor.offsetOf(text, 3, 999), text.length, 'past the end of the line');
});

test('writers are labelled as in the graph', async () => {
  const { nodes } = (await loadModel('tracr-reverse')).graph();
  const groups = (await wasm()).raspLayout(groundTruthText('tracr-reverse'));
  assert.deepEqual(
    groups.map((g) => layout.writerLabel(g, nodes)),
    ['Token embedding', 'Position embedding', 'A0.0', 'MLP 0', 'MLP 1', 'MLP 2', 'A3.0'],
  );
  assert.equal(layout.writerLabel({ kind: 'mlp', writer: 'blocks.12.hook_mlp_out', head: null }, nodes), 'blocks.12.hook_mlp_out', 'not in the graph: the hook name');
});
