// Errors while running ACDC are shown with what to do, and the page keeps
// working with the user's settings: an unknown model in the URL, a corrupt
// weights file, then the default model still prunes.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitRun } from './acdc.mjs';
import { DEFAULT_MODEL, MODELS_DIR, openPage, pageSession, screenshot, waitSettled } from './harness.mjs';

const session = pageSession({
  async setup() {
    temp = mkdtempSync(join(tmpdir(), 'circuitscope-acdc-errors-'));
  },
  async teardown() {
    if (temp) rmSync(temp, { recursive: true, force: true });
  },
});
let temp;

test('an unknown model and a corrupt weights file are shown; the default still runs', { timeout: 240_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&speed=max&model=no-such-model&tau=0.1`, 'acdc-errors');
  const error = page.getByTestId('error');
  assert.match(await error.locator('.error-message').innerText(), /unknown model "no-such-model"/);
  assert.match(await error.locator('.error-hint').innerText(), new RegExp(DEFAULT_MODEL));
  assert.equal(await page.getByTestId('model-select').inputValue(), DEFAULT_MODEL);
  assert.equal(Number(await page.getByTestId('tau').inputValue()), 0.1, 'the other settings are kept');

  const weights = readFileSync(join(MODELS_DIR, DEFAULT_MODEL, 'model.safetensors'));
  const corrupt = join(temp, 'model.safetensors');
  writeFileSync(corrupt, weights.subarray(0, 1000));
  await page.getByTestId('weights-file').setInputFiles(corrupt);
  await page.waitForSelector('[data-testid="error"][data-code="load"]', { timeout: 60_000 });
  await waitSettled(page);
  assert.match(await error.locator('.error-message').innerText(), /weights|safetensors|header/i);
  await screenshot(page, 'acdc-errors');

  await page.getByTestId('run').click();
  // Whether the first few tested edges are kept depends on the model, so wait
  // for the first removal (it times out, and fails, if none comes).
  const run = await waitRun(page, (r) => r.tested >= 1 && r.remaining < 305, 120_000, 'a removal in the run after the errors');
  assert.ok(run.remaining < 305, 'edges are pruned');
  assert.equal(Number(await page.getByTestId('tau').inputValue()), 0.1);
  await page.getByTestId('reset').click();
  await page.close();
});
