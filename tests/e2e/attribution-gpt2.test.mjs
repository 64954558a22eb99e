// GPT-2 with the paper's IOI rows: EAP and EAP-IG run in the page on the CPU
// backend (what a laptop without WebGPU has), with a progress bar, and score
// what the CLI scores. The weights are the e2e tests' GPT-2 stand-in
// (gpt2-fixture.mjs: GPT-2's names, vocabulary, tokenizer and context, a small
// random body), served in place of Hugging Face's URL; the real 548 MB are
// never fetched. The times the page took are written to
// artifacts/attribution-gpt2.json.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertSameCurve, assertSameScores, cliAttribute, cliFaithfulness, downloadJson, readCurve, visibleError, waitAttribution } from './attribution.mjs';
import { CONFIG, randomGpt2, routeGpt2 } from './gpt2-fixture.mjs';
import { ARTIFACTS, openPage, pageSession, ROOT, screenshot, waitSettled } from './harness.mjs';

/** @type {string} */
let temp = '';
/** @type {Buffer} */
let weights = Buffer.alloc(0);

const session = pageSession({
  async setup() {
    temp = mkdtempSync(join(tmpdir(), 'circuitscope-gpt2-attr-'));
    weights = randomGpt2(CONFIG, 1234);
    writeFileSync(join(temp, 'model.safetensors'), weights);
    writeFileSync(join(temp, 'config.json'), JSON.stringify(CONFIG));
    copyFileSync(join(ROOT, 'models/gpt2/tokenizer.json'), join(temp, 'tokenizer.json'));
    await routeGpt2(session.browser.context, CONFIG, weights);
  },
  teardown() {
    if (temp) rmSync(temp, { recursive: true, force: true });
  },
});

test('GPT-2 (stand-in) on the paper’s IOI rows: EAP and EAP-IG in the page on the CPU backend, with progress', { timeout: 600_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'attribution-gpt2');
  assert.equal(await page.getByTestId('backend').getAttribute('data-backend'), 'cpu');
  await page.locator('[data-model="gpt2"]').getByTestId('remote-load').click();
  await waitSettled(page);
  assert.equal(await visibleError(page), null);
  assert.equal(await page.getByTestId('model-select').inputValue(), 'gpt2');
  await page.getByTestId('task').selectOption('ioi');
  await page.waitForSelector('[data-testid="sample-clean"]:visible', { timeout: 60_000 });
  assert.equal(await page.getByTestId('metric').inputValue(), 'logit_diff');

  const times = { device: 'the CPU backend (wasm) in headless Chromium', model: 'GPT-2 stand-in (2 layers, 4 heads, d_model 64, GPT-2 vocabulary)', task: 'ioi (the paper’s 100 GPT-2 rows)' };
  for (const [method, steps] of /** @type {const} */ ([['eap', 1], ['eap-ig', 5]])) {
    await page.getByTestId('algorithm').selectOption(method);
    const began = Date.now();
    await page.getByTestId('run').click();
    // The progress bar shows the run's steps (passes) and ends full.
    await page.waitForSelector(`[data-testid="attribution-progress"][data-total="${steps}"]`, { timeout: 300_000 });
    await page.waitForSelector('[data-testid="stage"]:is([data-phase="done"], [data-phase="failed"])', { timeout: 300_000 });
    const scored = (Date.now() - began) / 1000;
    await waitAttribution(page, method, 300_000);
    const judged = (Date.now() - began) / 1000;
    const bar = page.getByTestId('attribution-progress');
    assert.equal(await bar.getAttribute('data-done'), String(steps));
    assert.equal(await bar.evaluate((b) => /** @type {HTMLProgressElement} */ (b).value), 1);
    const wallTime = Number(await page.getByTestId('attribution-time').getAttribute('data-value'));
    const scores = await downloadJson(page, 'export-scores', 'scores.json');
    assert.equal(scores.wall_time, wallTime);
    const s = { model: temp, task: 'ioi', method };
    assertSameScores(scores, cliAttribute(s).scores);
    assertSameCurve(await readCurve(page, method), cliFaithfulness({ ...s, scores }));
    times[method] = { scoresSeconds: wallTime, untilScoresSeconds: scored, untilCurveSeconds: judged, passes: scores.forward_passes + scores.backward_passes };
  }
  await screenshot(page, 'attribution-gpt2');
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'attribution-gpt2.json'), `${JSON.stringify(times, null, 2)}\n`);
  console.log(JSON.stringify(times));
  await page.evaluate(() => caches.delete('circuitscope-weights-v1'));
  await page.close();
});
