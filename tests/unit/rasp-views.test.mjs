// The RASP editor's pure helpers: an error's line and column become the
// textarea offset it selects, and the residual layout names writers as the
// graph view does.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';

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

test('writers are labelled as in the graph', () => {
  assert.equal(layout.writerLabel({ kind: 'embed', writer: 'hook_embed', head: null }), 'Token embedding');
  assert.equal(layout.writerLabel({ kind: 'pos_embed', writer: 'hook_pos_embed', head: null }), 'Position embedding');
  assert.equal(layout.writerLabel({ kind: 'attn', writer: 'blocks.3.attn.hook_result', head: 0 }), 'A3.0');
  assert.equal(layout.writerLabel({ kind: 'mlp', writer: 'blocks.12.hook_mlp_out', head: null }), 'MLP 12');
});
