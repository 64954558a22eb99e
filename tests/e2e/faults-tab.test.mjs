// What happens to a run around it: the tab hidden mid-run (no animation
// frames) and the page reloaded or its worker crashed once
// the circuit is found. The run goes on in a hidden tab and ends with the
// CLI's circuit; a finished circuit is shown again after a reload or a crash,
// said to be restored, and only for the settings it was found with.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertSameCircuit, cliAcdc, readRun, waitRun } from './acdc.mjs';
import { exportedCircuit, faultQuery, runUntilUnderWay, SETTINGS } from './faults.mjs';
import { modelWorkers, openPage, pageSession, screenshot, waitSettled } from './harness.mjs';

const session = pageSession();

/**
 * Hides the page as a background tab is hidden, or shows it again. Headless
 * Chromium keeps every page visible (another tab in front or a minimized
 * window change nothing), so the page is told it is hidden and, what matters,
 * gets no animation frames until it is shown again.
 */
function setHidden(page, hidden) {
  return page.evaluate((hide) => {
    const w = /** @type {any} */ (window);
    if (hide) {
      w.__frames = { raf: w.requestAnimationFrame, held: [] };
      w.requestAnimationFrame = (/** @type {FrameRequestCallback} */ callback) => w.__frames.held.push(callback);
    } else {
      w.requestAnimationFrame = w.__frames.raf;
      for (const callback of w.__frames.held) w.requestAnimationFrame(callback);
    }
    for (const [name, value] of [['visibilityState', hide ? 'hidden' : 'visible'], ['hidden', hide]]) {
      Object.defineProperty(document, name, { configurable: true, get: () => value });
    }
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test('a tab hidden mid-run: the run goes on, and back in front the page shows the CLI’s circuit', { timeout: 400_000 }, async () => {
  const expected = cliAcdc(SETTINGS);
  const page = await openPage(session.browser.context, `${session.server.url}${faultQuery()}`, 'faults-hidden');
  await runUntilUnderWay(page);
  await setHidden(page, true);
  assert.equal(await page.evaluate(() => document.visibilityState), 'hidden');
  await waitRun(page, (r) => r.phase === 'done', 300_000, 'the run in a hidden tab');
  assert.equal(await readRun(page).then((r) => r.tested > 0), true, 'the counts were applied while hidden');
  await setHidden(page, false);
  assertSameCircuit(await exportedCircuit(page), expected);
  await screenshot(page, 'faults-hidden');
  await page.close();
});

test('a finished circuit survives a reload and a crashed worker, and only for its own settings', { timeout: 500_000 }, async () => {
  const expected = cliAcdc(SETTINGS);
  const url = `${session.server.url}${faultQuery('cpu', 'max')}`;
  const page = await openPage(session.browser.context, url, 'faults-restored');
  await page.getByTestId('run').click();
  const finished = await waitRun(page, (r) => r.phase === 'done', 240_000, 'the first run');

  const restored = async (what) => {
    await page.waitForSelector('[data-testid="stage"][data-phase="done"]', { timeout: 120_000 });
    assert.match(await page.getByTestId('stage').innerText(), /Restored from your last run/, `${what}: it says so`);
    assert.deepEqual(await readRun(page), finished, `${what}: the same counts`);
    assertSameCircuit(await exportedCircuit(page), expected);
  };
  await page.reload();
  await waitSettled(page);
  await restored('after a reload');
  await screenshot(page, 'faults-restored');

  // A crashed worker: the model is loaded again and the circuit is still there.
  await modelWorkers(page)[0].evaluate(() => void setTimeout(() => {
    throw new Error('crashed by the test');
  }, 0));
  await page.locator('[data-testid="error"][data-code="worker_crashed"]').waitFor({ timeout: 60_000 });
  await page.waitForSelector('[data-testid="run"]:enabled', { timeout: 120_000 });
  await restored('after a crash');

  // "Run again" runs it (the same circuit, now run here).
  await page.getByTestId('run-again').click();
  await waitRun(page, (r) => r.phase === 'done', 240_000, 'the run again');
  assert.doesNotMatch(await page.getByTestId('stage').innerText(), /Restored from your last run/);
  assertSameCircuit(await exportedCircuit(page), expected);

  // Another seed: nothing restored (a stale circuit is never shown for other settings).
  await page.goto(url.replace(`seed=${SETTINGS.seed}`, 'seed=5'));
  await waitSettled(page);
  await page.waitForSelector('[data-testid="run"]:enabled', { timeout: 120_000 });
  assert.equal(await page.getByTestId('stage').getAttribute('data-phase'), 'idle');
  await page.close();
});
