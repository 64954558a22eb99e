// A person's own task typed in the page: mistakes name their row and word;
// the rows run with any method (EAP here, ACDC too), and the data.json the
// page exports gives the CLI the same scores and circuit; the task lives in
// the URL and in localStorage. And the KL+EAP warning: shown when EAP meets
// KL or L2, with the task metric or EAP-IG as the way out, and beside such
// scores when they are run anyway.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertSameCircuit, waitRun } from './acdc.mjs';
import {
  assertSameCurve,
  assertSameScores,
  cliAcdcData,
  cliAttribute,
  cliFaithfulness,
  downloadJson,
  readCurve,
  runAttribution,
  visibleError,
} from './attribution.mjs';
import { DEFAULT_MODEL, openPage, pageSession, screenshot, waitSettled } from './harness.mjs';

const session = pageSession();

/** Induction on induction-2l's words: the second copy's next word, against a broken repeat. */
const ROWS = [
  'cat dog sun moon cat | cat dog sun moon tree | dog | sun',
  'fish bird lion owl fish | fish bird lion owl king | bird | lion owl',
  'rain snow star ship rain | rain snow star ship road | snow | star',
  'book lamp key ring book | book lamp key ring seed | lamp | key',
].join('\n');

/** The warning's text (www/src/generated/wire.ts KL_EAP_WARNING), in part. */
const WARNING = /EAP with this metric scores every edge ≈ 0/;

test('a custom task typed in the page runs, and its data.json gives the CLI the same scores and circuit', { timeout: 300_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&model=${DEFAULT_MODEL}&speed=max`, 'attribution-custom');
  await page.getByTestId('custom-task').locator('summary').click();
  const rows = page.getByTestId('custom-rows');
  const message = page.getByTestId('custom-message');

  // Mistakes name the row (and the word).
  await rows.fill('cat dog sun | cat dog moon | dog | sun\ncat zzzq sun | cat dog moon | dog | sun');
  await page.getByTestId('custom-check').click();
  await page.waitForSelector('[data-testid="custom-message"][data-state="error"]');
  assert.match(await message.innerText(), /row 2.*zzzq/);
  await rows.fill('cat dog sun | cat dog | dog | sun');
  await page.getByTestId('custom-check').click();
  await page.waitForSelector('[data-testid="custom-message"][data-state="error"]');
  assert.match(await message.innerText(), /row 1.*same length/);

  await rows.fill(ROWS);
  await page.getByTestId('custom-scored').fill('last');
  await page.getByTestId('custom-use').click();
  await page.waitForSelector('[data-testid="custom-message"][data-state="ok"]');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('task') === 'custom');
  await waitSettled(page);
  assert.equal(await page.getByTestId('task').inputValue(), 'custom');
  assert.equal(await page.getByTestId('custom-tokens').locator('tbody tr').count(), 4);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('prompts'), ROWS, 'the rows are in the URL');
  assert.equal(url.searchParams.get('scored'), 'last');

  // EAP with logit_diff on the rows: the CLI reads the page's data.json and scores the same.
  await page.getByTestId('metric').selectOption('logit_diff');
  await page.getByTestId('algorithm').selectOption('eap');
  await page.waitForSelector('[data-testid="sample-clean"]:visible');
  await runAttribution(page, 'eap');
  assert.equal(await visibleError(page), null);
  const scores = await downloadJson(page, 'export-scores', 'scores.json');
  const data = await downloadJson(page, 'custom-export', 'data.json');
  assert.equal(data.clean.length, 4);
  assert.deepEqual(data.correct.length, 4, 'logit_diff needs the answers');
  const s = { model: DEFAULT_MODEL, data, metric: 'logit_diff', ablation: 'resample' };
  assertSameScores(scores, cliAttribute({ ...s, method: 'eap' }).scores);
  assertSameCurve(await readCurve(page, 'eap'), cliFaithfulness({ ...s, scores }));
  await screenshot(page, 'attribution-custom');

  // ACDC on the same rows: the CLI's circuit from the same data.json.
  await page.getByTestId('algorithm').selectOption('acdc');
  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.phase === 'done', 120_000, 'ACDC on the custom rows');
  assert.equal(await page.getByTestId('run-stats').isVisible(), true, 'back on ACDC, its counters show again');
  assert.equal(await page.getByTestId('metric-chart').isVisible(), true, 'and its metric chart');
  const circuit = await downloadJson(page, 'export-json', 'circuit.json');
  assertSameCircuit(circuit, cliAcdcData({ ...s, tau: 0.05 }));

  // A reload keeps the task (the URL); a page without it finds it in localStorage.
  await page.reload();
  await waitSettled(page);
  assert.equal(await page.getByTestId('task').inputValue(), 'custom');
  assert.equal(await page.getByTestId('custom-rows').inputValue(), ROWS);
  await page.close();
  const fresh = await openPage(session.browser.context, `${session.server.url}?backend=cpu&model=${DEFAULT_MODEL}`, 'attribution-custom-stored');
  assert.equal(await fresh.getByTestId('custom-rows').inputValue(), ROWS, 'the rows come back from localStorage');
  await fresh.close();
});

test('KL with EAP: the page says so and offers the task metric or EAP-IG', { timeout: 300_000 }, async () => {
  // A task with a task metric (ioi: logit_diff), with KL chosen.
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&model=ioi&task=ioi&metric=kl&algorithm=eap`, 'attribution-warning');
  const warning = page.getByTestId('kl-eap-warning');
  await warning.waitFor({ state: 'visible' });
  assert.match(await warning.innerText(), WARNING);
  const useMetric = page.getByTestId('use-task-metric');
  assert.match(await useMetric.innerText(), /logit_diff/);
  await useMetric.click();
  assert.equal(await page.getByTestId('metric').inputValue(), 'logit_diff');
  await warning.waitFor({ state: 'hidden' });

  // L2 too; EAP-IG is the other way out.
  await page.getByTestId('metric').selectOption('l2');
  await warning.waitFor({ state: 'visible' });
  await screenshot(page, 'attribution-warning');
  await page.getByTestId('use-eap-ig').click();
  assert.equal(await page.getByTestId('algorithm').inputValue(), 'eap-ig');
  await warning.waitFor({ state: 'hidden' });
  await page.close();

  // A task without answers (induction: KL) offers EAP-IG only; EAP run anyway keeps the warning beside its scores.
  const induction = await openPage(session.browser.context, `${session.server.url}?backend=cpu&model=${DEFAULT_MODEL}&task=induction&algorithm=eap`, 'attribution-warning-kl');
  const shown = induction.getByTestId('kl-eap-warning');
  await shown.waitFor({ state: 'visible' });
  assert.equal(await induction.getByTestId('use-task-metric').isVisible(), false, 'induction has no task metric');
  await runAttribution(induction, 'eap');
  assert.ok(await shown.isVisible(), 'the warning stays beside the scores');
  await induction.getByTestId('algorithm').selectOption('eap-ig');
  assert.ok(await shown.isVisible(), 'the shown scores are still EAP with KL');
  await screenshot(induction, 'attribution-warning-kl');
  await induction.close();
});
