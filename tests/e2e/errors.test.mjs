// Errors are shown with a hint, and the page keeps working after them.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  assertSameTop,
  choosePrompt,
  fetchIndex,
  MODELS_DIR,
  openPage,
  pageSession,
  predictOnPage,
  screenshot,
  testModel,
  waitSettled,
} from './harness.mjs';

const session = pageSession({
  async setup() {
    model = testModel(await fetchIndex(session.server.url));
    temp = mkdtempSync(join(tmpdir(), 'circuitscope-weights-'));
  },
  async teardown() {
    if (temp) rmSync(temp, { recursive: true, force: true });
  },
});
let model;
let temp;

test('a truncated weights file is refused and the loaded model still predicts', { timeout: 300_000 }, async (t) => {
  if (!model) return t.skip('models/index.json lists no model with a tokenizer');
  const { prompt, expected } = choosePrompt(model.id);
  const weights = readFileSync(join(MODELS_DIR, model.id, 'model.safetensors'));
  const corrupt = join(temp, 'model.safetensors');
  writeFileSync(corrupt, weights.subarray(0, Math.floor(weights.length / 2)));

  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&model=${model.id}`, 'corrupt-weights');
  await page.getByTestId('weights-file').setInputFiles(corrupt);
  const error = page.getByTestId('error');
  await error.waitFor({ state: 'visible', timeout: 120_000 });
  await waitSettled(page);
  // The message itself (not the hint) names the weights, as the loader words it.
  assert.match(await error.locator('.error-message').innerText(), /weights/i);
  assert.equal(await page.getByTestId('model-select').inputValue(), model.id);
  await screenshot(page, 'corrupt-weights');

  const shown = await predictOnPage(page, prompt);
  assert.equal(shown.error, null);
  assertSameTop(shown.top, expected.top);
  await page.close();
});

test('a prompt the tokenizer refuses shows an error, then a good prompt works', { timeout: 300_000 }, async (t) => {
  if (!model) return t.skip('models/index.json lists no model with a tokenizer');
  const { prompt, expected } = choosePrompt(model.id);
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&model=${model.id}`, 'bad-prompt');
  // Thousands of words (longer than any n_ctx, even with an unknown-token
  // fallback) of characters no small vocabulary has.
  const bad = Array(4000).fill('\u{1F9EA}\u2603').join(' ');
  const refused = await predictOnPage(page, bad);
  assert.ok(refused.error, 'no error shown for an unusable prompt');
  assert.equal(refused.top.length, 0);
  await screenshot(page, 'bad-prompt');

  const shown = await predictOnPage(page, prompt);
  assert.equal(shown.error, null);
  assertSameTop(shown.top, expected.top);
  await page.close();
});
