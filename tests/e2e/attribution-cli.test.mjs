// EAP-IG run in the page equals the CLI's: the exported scores.json edge by
// edge (`circuitscope attribute --method eap-ig`), and the faithfulness curve,
// CPR and CMD shown equal `circuitscope faithfulness --scores` of that file.
// On a compiled model the ROC's AUC shown equals the CLI's, and ACDC's circuit
// is one point on the same chart, equal to `faithfulness --circuit`; the two
// circuits compare (both, each alone, Jaccard). All on the CPU backend.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertSameCircuit, cliAcdc, waitRun } from './acdc.mjs';
import {
  assertSameCurve,
  assertSameScores,
  cliAttribute,
  cliFaithfulness,
  close,
  downloadJson,
  readCurve,
  runAttribution,
  visibleError,
} from './attribution.mjs';
import { openPage, pageSession, screenshot } from './harness.mjs';

const session = pageSession();

test('EAP-IG in the page: scores.json and the faithfulness numbers equal the CLI’s', { timeout: 300_000 }, async () => {
  // m = 3 and a seed of 2, so that the settings are seen to reach the run.
  const s = { model: 'induction-2l', task: 'induction', method: 'eap-ig', steps: 3, seed: 2, metric: 'kl', ablation: 'resample' };
  const query = `?backend=cpu&model=${s.model}&task=${s.task}&algorithm=eap-ig&steps=${s.steps}&seed=${s.seed}&metric=${s.metric}&ablation=${s.ablation}`;
  const page = await openPage(session.browser.context, `${session.server.url}${query}`, 'attribution-cli');
  assert.equal(await page.getByTestId('algorithm').inputValue(), 'eap-ig');
  assert.equal(await page.getByTestId('steps').inputValue(), '3');
  await runAttribution(page, 'eap-ig');
  assert.equal(await visibleError(page), null);
  // The progress bar ends full: m passes of m.
  const bar = page.getByTestId('attribution-progress');
  assert.equal(await bar.getAttribute('data-done'), '3');
  assert.equal(await bar.getAttribute('data-total'), '3');
  assert.equal(await page.getByTestId('graph-panel').getAttribute('data-scores'), 'cut');
  await screenshot(page, 'attribution-cli');

  const scores = await downloadJson(page, 'export-scores', 'scores.json');
  const expected = cliAttribute(s);
  assertSameScores(scores, expected.scores);

  const curve = await readCurve(page, 'eap-ig');
  assert.equal(curve.points.length, 10, 'every one of MIB’s sizes');
  assertSameCurve(curve, cliFaithfulness({ ...s, scores }));

  // The size slider re-cuts the circuit: a typed size and a percentage give the crate's cut and f.
  await page.getByTestId('size-input').fill('10%');
  await page.getByTestId('size-input').press('Enter');
  const tenth = curve.points.find((p) => p.fraction === 0.1);
  assert.ok(tenth);
  await page.waitForSelector(`[data-testid="cut"][data-n="${tenth.n}"]`);
  const cut = page.getByTestId('cut');
  assert.equal(Number(await cut.getAttribute('data-edges')), tenth.edges);
  close(Number(await cut.getAttribute('data-f')), tenth.f, 'f at 10 %');
  await page.getByTestId('size-input').fill('7');
  await page.getByTestId('size-input').press('Enter');
  await page.waitForSelector('[data-testid="cut"][data-n="7"]');
  await page.close();
});

test('on a compiled model: ROC against its ground truth, and ACDC’s circuit as one point beside EAP-IG’s curve', { timeout: 300_000 }, async () => {
  const s = { model: 'tracr-proportion', task: 'tracr-proportion', metric: 'l2', ablation: 'zero' };
  const acdc = { ...s, tau: 0.001, seed: 0, indicesMode: 'normal', namesMode: 'normal' };
  const query = `?backend=cpu&model=${s.model}&task=${s.task}&metric=${s.metric}&ablation=${s.ablation}&tau=${acdc.tau}&speed=max`;
  const page = await openPage(session.browser.context, `${session.server.url}${query}&algorithm=acdc`, 'attribution-tracr');

  // ACDC first: its circuit is the CLI's, and its point on the chart is `faithfulness --circuit`'s.
  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.phase === 'done', 120_000, 'ACDC');
  const circuit = await downloadJson(page, 'export-json', 'circuit.json');
  assertSameCircuit(circuit, cliAcdc(acdc));
  const point = page.locator('[data-testid="circuit-point"][data-method="acdc"]');
  await point.waitFor();
  const acdcCli = cliFaithfulness({ ...s, circuit });
  assert.equal(Number(await point.getAttribute('data-edges')), acdcCli.points[0].edges);
  close(Number(await point.getAttribute('data-f')), acdcCli.points[0].f, 'ACDC’s f');

  // Then EAP-IG on the same data: its curve, and its ROC's AUC, equal the CLI's.
  await page.getByTestId('algorithm').selectOption('eap-ig');
  await runAttribution(page, 'eap-ig');
  const scores = await downloadJson(page, 'export-scores', 'scores.json');
  assertSameScores(scores, cliAttribute({ ...s, method: 'eap-ig' }).scores);
  const expected = cliFaithfulness({ ...s, scores });
  assertSameCurve(await readCurve(page, 'eap-ig'), expected);
  const auc = page.locator('[data-testid="auc"][data-method="eap-ig"]');
  await auc.waitFor();
  close(Number(await auc.getAttribute('data-value')), expected.roc.auc, 'AUC', 1e-9, 1e-9);
  assert.ok(await page.getByTestId('roc-chart').isVisible(), 'the ROC chart is shown');
  // ACDC's point is still on the chart, beside the curve.
  assert.equal(await page.locator('[data-testid="circuit-point"][data-method="acdc"]').count(), 1);

  // The two circuits compared at ACDC's size: both, each alone, Jaccard.
  await page.getByTestId('compare-run').selectOption('acdc');
  const overlap = page.getByTestId('overlap');
  await overlap.waitFor({ state: 'visible' });
  const size = Number(await page.getByTestId('attribution').getAttribute('data-size'));
  assert.equal(size, acdcCli.points[0].edges, 'a fresh run opens at ACDC’s size');
  await page.waitForSelector(`[data-testid="cut"][data-n="${size}"]`);
  const [both, onlyShown, onlyOther, jaccard] = await Promise.all(
    ['data-both', 'data-only-shown', 'data-only-other', 'data-jaccard'].map(async (a) => Number(await overlap.getAttribute(a))),
  );
  const kept = Number(await page.getByTestId('cut').getAttribute('data-edges'));
  assert.equal(both + onlyShown, kept, 'the shown cut’s edges are both or only its');
  assert.equal(both + onlyOther, acdcCli.points[0].edges, 'ACDC’s edges are both or only its');
  close(jaccard, both / (both + onlyShown + onlyOther), 'Jaccard', 1e-12, 1e-12);
  assert.match(await overlap.innerText(), /Jaccard/);
  await screenshot(page, 'attribution-tracr');
  await page.close();
});
