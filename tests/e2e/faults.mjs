// What the fault tests share (faults.test.mjs, faults-worker.test.mjs,
// faults-tab.test.mjs): the settings of the run a fault interrupts, and the
// recovery every fault must end in: a message naming what happened, the
// settings kept, the model loaded again, and the next run the CLI's circuit.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertSameCircuit, cliAcdc, waitRun } from './acdc.mjs';
import { DEFAULT_MODEL, screenshot } from './harness.mjs';

/** @typedef {{model: string, task: string, tau: number, metric: string, ablation: string, seed: number, indicesMode: string, namesMode: string}} FaultSettings */

/** @type {FaultSettings} */
export const SETTINGS = {
  model: DEFAULT_MODEL,
  task: 'induction',
  tau: 0.04,
  metric: 'kl',
  ablation: 'resample',
  seed: 2,
  indicesMode: 'normal',
  namesMode: 'normal',
};

/** The page's query for `s` on `backend`, at `speed`. */
export function faultQuery(backend = 'cpu', speed = '1', s = SETTINGS) {
  return `?backend=${backend}&speed=${speed}&model=${s.model}&task=${s.task}&tau=${s.tau}&seed=${s.seed}`;
}

/** Presses Run and waits until the run is under way (a few edges tested). */
export async function runUntilUnderWay(page, tested = 3) {
  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.tested >= tested && r.phase === 'running', 120_000, 'the run before the fault');
}

/** The export of a finished run: its circuit.json. */
export async function exportedCircuit(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  return JSON.parse(readFileSync(await download.path(), 'utf8'));
}

/**
 * After a fault: the error `code` says `said` (each a RegExp the message and
 * hint must match), the settings are still `settings`, the model is loaded
 * again (a screenshot `name` of the message), and a run at full speed ends
 * (within `runTimeout` ms) with the CLI's circuit.
 * @param {import('playwright-core').Page} page
 * @param {{code: string, said: RegExp[], name: string, settings?: FaultSettings, runTimeout?: number}} fault
 */
export async function recoversFrom(page, { code, said, name, settings = SETTINGS, runTimeout = 240_000 }) {
  const expected = cliAcdc(settings);
  const error = page.locator(`[data-testid="error"][data-code="${code}"]`);
  await error.waitFor({ timeout: 120_000 });
  for (const words of said) assert.match(await error.innerText(), words);
  // The fresh worker loads the model again; the settings are the person's.
  await page.waitForSelector('[data-testid="status"][data-state="ready"]', { timeout: 120_000 });
  await page.waitForSelector('[data-testid="run"]:enabled', { timeout: 120_000 });
  assert.equal(Number(await page.getByTestId('tau').inputValue()), settings.tau);
  assert.equal(await page.getByTestId('seed').inputValue(), String(settings.seed));
  assert.notEqual(await page.getByTestId('stage').getAttribute('data-phase'), 'running', 'the lost run is not shown as running');
  await screenshot(page, name);

  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.phase === 'done', runTimeout, `the run after the fault (${code})`);
  assertSameCircuit(await exportedCircuit(page), expected);
}
