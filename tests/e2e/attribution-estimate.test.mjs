// Estimate against truth: after EAP, exact and ACDC on the same data, choosing
// an edge shows EAP's score, its estimate of Δ (score × rows), the exact Δ of
// patching that edge alone and ACDC's Δ; the exact scores are the CLI's; the
// estimates far from the exact Δ are marked, and the scatter of estimate
// against exact Δ picks edges too. greater-than on the CPU backend.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitRun } from './acdc.mjs';
import { assertSameScores, cliAttribute, close, downloadJson, runAttribution } from './attribution.mjs';
import { openPage, pageSession, screenshot } from './harness.mjs';

const session = pageSession();

const edgeKey = (e) => `${e.sender}[${e.sender_head ?? ''}]->${e.receiver}[${e.receiver_head ?? ''}]`;

test('clicking an edge sets EAP’s estimate beside the exact Δ and ACDC’s', { timeout: 300_000 }, async () => {
  const s = { model: 'greater-than', task: 'greater-than' };
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&model=${s.model}&task=${s.task}&algorithm=eap&speed=max`, 'attribution-estimate');
  await runAttribution(page, 'eap');
  const eap = await downloadJson(page, 'export-scores', 'scores.json');
  await page.getByTestId('algorithm').selectOption('exact');
  await runAttribution(page, 'exact');
  const exact = await downloadJson(page, 'export-scores', 'scores.json');
  assertSameScores(exact, cliAttribute({ ...s, method: 'exact' }).scores);
  await page.getByTestId('algorithm').selectOption('acdc');
  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.phase === 'done', 120_000, 'ACDC');

  // Show EAP; its strongest edge, chosen in the table.
  await page.getByTestId('shown-run').selectOption('eap');
  const first = page.getByTestId('top-edge').first();
  await first.click();
  const inspector = page.getByTestId('edge-inspector');
  const edge = await first.getAttribute('data-edge');
  await page.waitForSelector(`[data-testid="edge-inspector"][data-edge="${edge}"]`);
  const value = async (testid) => Number(await inspector.getByTestId(testid).getAttribute('data-value'));
  const strongest = [...eap.edges].sort((a, b) => Math.abs(b.score) - Math.abs(a.score))[0];
  const truth = exact.edges.find((e) => edgeKey(e) === edgeKey(strongest));
  assert.ok(truth);
  close(await value('score-eap'), strongest.score, 'EAP’s score', 1e-12, 0);
  const rows = Number(/score × (\d+) rows/.exec(await inspector.innerText())?.[1]);
  assert.equal(rows, 50, 'greater-than’s rows');
  close(await value('estimate-eap'), strongest.score * rows, 'EAP’s estimate of Δ = score × rows', 1e-12, 0);
  close(await value('score-exact'), truth.score, 'the exact Δ', 1e-12, 0);
  assert.ok(Number.isFinite(await value('delta-acdc')) || (await inspector.getByTestId('delta-acdc').innerText()).includes('untested'));

  // Where the estimate is wrong, it shows.
  const off = await page.locator('[data-testid="top-edges"] [data-off="true"]').count();
  assert.ok(off > 0, 'some of EAP’s estimates are marked as far from the exact Δ');

  // The scatter of estimate against exact Δ chooses edges too.
  const scatter = page.getByTestId('estimate-scatter');
  assert.ok(await scatter.isVisible());
  await scatter.locator('circle').nth(3).dispatchEvent('click');
  await page.waitForFunction((e) => {
    const host = document.querySelector('circuit-playground');
    const inspector = host?.shadowRoot?.querySelector('[data-testid="edge-inspector"]');
    return inspector instanceof HTMLElement && inspector.dataset.edge !== e;
  }, edge);
  await screenshot(page, 'attribution-estimate');
  await page.close();
});

test('an attribution run starts paused, steps one edge at a time, and resumes to the end', { timeout: 180_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&model=tracr-proportion&task=tracr-proportion&algorithm=exact`, 'attribution-steps');
  const stage = page.getByTestId('stage');
  const bar = page.getByTestId('attribution-progress');
  // "Step one edge" before a run: the run starts paused and computes nothing.
  await page.getByTestId('step').click();
  await page.waitForSelector('[data-testid="stage"][data-phase="paused"]');
  assert.equal(await page.getByTestId('run').innerText(), 'Resume');
  await page.getByTestId('step').click();
  await page.waitForSelector('[data-testid="stage"][data-phase="paused"] [data-testid="attribution-progress"][data-done="1"]');
  const total = Number(await bar.getAttribute('data-total'));
  assert.equal(total, 32, 'exact: one step per ADDITION edge');
  await page.getByTestId('step').click();
  await page.waitForSelector('[data-testid="stage"][data-phase="paused"] [data-testid="attribution-progress"][data-done="2"]');
  // ACDC's counters and metric chart have nothing to show for an attribution run: hidden.
  assert.equal(await page.getByTestId('run-stats').isVisible(), false, 'ACDC’s counters hide while attribution runs');
  assert.equal(await page.getByTestId('metric-chart').isVisible(), false, 'ACDC’s metric chart hides while attribution runs');
  await page.getByTestId('run').click();
  await runDone(page);
  assert.equal(await stage.getAttribute('data-phase'), 'done');
  assert.equal(await bar.getAttribute('data-done'), '32');
  await page.close();
});

/** @param {import('playwright-core').Page} page */
async function runDone(page) {
  await page.waitForSelector('[data-testid="stage"]:is([data-phase="done"], [data-phase="failed"])', { timeout: 120_000 });
  await page.waitForSelector('[data-testid="cpr"][data-method="exact"]:not([data-value=""])', { timeout: 120_000 });
}
