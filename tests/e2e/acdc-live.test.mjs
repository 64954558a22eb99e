// The default run, started by the URL, prunes the graph live: the remaining
// count drops while it runs, Pause holds it, Step tests exactly one edge, and
// it runs to a circuit; a head shows its attention; nothing leaves localhost.
// One WebGPU run checks that the GPU path prunes too.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllLocal, readRun, waitRun } from './acdc.mjs';
import { DEFAULT_MODEL, openPage, pageSession, screenshot } from './harness.mjs';

const session = pageSession();

test('the default run prunes live; pause holds, step tests one edge', { timeout: 240_000 }, async () => {
  session.browser.requests.length = 0;
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&autorun=1`, 'acdc-live');
  // The defaults: the default model and its first task with the task's τ.
  assert.equal(await page.getByTestId('model-select').inputValue(), DEFAULT_MODEL);
  assert.equal(await page.getByTestId('task').inputValue(), 'induction');
  assert.equal(Number(await page.getByTestId('tau').inputValue()), 0.05);
  assert.equal(await page.getByTestId('algorithm').inputValue(), 'acdc');
  assert.match(await page.getByTestId('sample-clean').innerText(), /\S/, 'a clean prompt is shown');
  assert.match(await page.getByTestId('task-explanation').innerText(), /induction/i);

  const first = await waitRun(page, (r) => r.phase === 'running' && r.tested >= 2, 60_000, 'first edges');
  const total = Number(await page.getByTestId('graph-panel').getAttribute('data-edges'));
  assert.equal(total, 305, 'ADD + DC edges drawn');
  const later = await waitRun(page, (r) => r.remaining < first.remaining, 30_000, 'pruning');
  assert.ok(later.remaining < first.remaining, 'the remaining count drops while running');
  await screenshot(page, 'acdc-running');

  await page.getByTestId('run').click(); // Pause
  // "paused" shows only once the worker has stopped and every result it computed
  // was applied (until then the page says "pausing…"): from then on nothing moves.
  const paused = await waitRun(page, (r) => r.phase === 'paused', 30_000, 'pause');
  await page.waitForTimeout(1500);
  const still = await readRun(page);
  assert.deepEqual(still, paused, 'nothing moves while paused');

  await page.getByTestId('step').click();
  const stepped = await waitRun(page, (r) => r.phase === 'paused' && r.tested > paused.tested, 30_000, 'step');
  assert.equal(stepped.tested, paused.tested + 1, 'Step tests exactly one edge');
  await page.waitForTimeout(1000);
  assert.deepEqual(await readRun(page), stepped, 'nothing moves after a step');

  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('run').click(); // Resume
  const done = await waitRun(page, (r) => r.phase === 'done', 120_000, 'the end of the run');
  assert.equal(done.remaining, 0);
  assert.ok(done.kept > 0 && done.kept < total, `a circuit: ${done.kept} of ${total} edges kept`);
  assert.equal(Number(await page.getByTestId('metric-chart').getAttribute('data-points')) > done.tested, true);
  await screenshot(page, 'acdc-done');

  // The circuit alone, then a head's attention pattern.
  await page.getByTestId('circuit-only').check();
  await page.waitForSelector('[data-testid="head"].hidden', { state: 'attached', timeout: 5_000 });
  const shown = page.locator('[data-testid="head"]:not(.hidden)');
  assert.ok((await shown.count()) < 16, 'heads outside the circuit are hidden');
  await shown.first().focus();
  await page.keyboard.press('Enter'); // the keyboard opens a head as a click does
  await page.waitForSelector('[data-testid="attention"][data-state="shown"]', { timeout: 30_000 });
  await screenshot(page, 'acdc-circuit-only');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'acdc-dark');
  await page.close();
  assertAllLocal(session.browser.requests);
});

test('on WebGPU a run starts and prunes edges', { timeout: 300_000 }, async (t) => {
  const page = await openPage(session.browser.context, `${session.server.url}?autorun=1&speed=1`, 'acdc-webgpu', 240_000);
  const backend = await page.getByTestId('backend').getAttribute('data-backend');
  if (backend !== 'webgpu') {
    await page.close();
    return t.skip(`no WebGPU here (the page chose ${backend})`);
  }
  const run = await waitRun(page, (r) => r.tested >= 3 && r.remaining < 305, 240_000, 'WebGPU pruning');
  assert.ok(run.remaining < 305);
  await screenshot(page, 'acdc-webgpu');
  await page.getByTestId('reset').click();
  await waitRun(page, (r) => r.phase === 'idle' && r.remaining === 305, 10_000, 'reset');
  await page.close();
});
