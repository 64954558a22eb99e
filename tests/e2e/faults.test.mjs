// Faults nobody chooses: the model's worker dies in the middle of a run (an
// uncaught error, as a wasm trap is), and the page is reloaded. The page says
// what happened, keeps the settings and what the person wrote, and the next
// run is right: the CLI's circuit, edge for edge.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { assertSameCircuit, cliAcdc, waitRun } from './acdc.mjs';
import { DEFAULT_MODEL, openPage, pageSession, screenshot, waitSettled } from './harness.mjs';

const session = pageSession();

const SETTINGS = {
  model: DEFAULT_MODEL,
  task: 'induction',
  tau: 0.04,
  metric: 'kl',
  ablation: 'resample',
  seed: 2,
  indicesMode: 'normal',
  namesMode: 'normal',
};

test('a worker that crashes mid-run: the page says so, keeps the settings, and the next run equals the CLI’s', { timeout: 400_000 }, async () => {
  const s = SETTINGS;
  const query = `?backend=cpu&speed=1&model=${s.model}&task=${s.task}&tau=${s.tau}&seed=${s.seed}`;
  const page = await openPage(session.browser.context, `${session.server.url}${query}`, 'faults-crash');
  const expected = cliAcdc(s);

  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.tested >= 3 && r.phase === 'running', 120_000, 'the run before the crash');
  const workers = page.workers();
  assert.equal(workers.length, 1, 'one model worker');
  // An uncaught error in the worker, as a wasm trap or an out-of-memory abort would be.
  await workers[0].evaluate(() => {
    setTimeout(() => {
      throw new Error('crashed by the test');
    }, 0);
  });

  const error = page.locator('[data-testid="error"][data-code="worker_crashed"]');
  await error.waitFor({ timeout: 60_000 });
  assert.match(await error.innerText(), /crashed by the test/);
  assert.match(await error.innerText(), /restarted/, 'it says what was done and what to do');
  // The fresh worker loads the model again; the settings are the person's.
  await page.waitForSelector('[data-testid="status"][data-state="ready"]', { timeout: 120_000 });
  assert.equal(Number(await page.getByTestId('tau').inputValue()), s.tau);
  assert.equal(await page.getByTestId('seed').inputValue(), String(s.seed));
  assert.notEqual(await page.getByTestId('stage').getAttribute('data-phase'), 'running', 'the lost run is not shown as running');
  await screenshot(page, 'faults-crash');

  await page.getByTestId('speed').selectOption('max');
  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.phase === 'done', 240_000, 'the run after the crash');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  assertSameCircuit(JSON.parse(readFileSync(await download.path(), 'utf8')), expected);
  await page.close();
});

test('a reload keeps the settings and the RASP program being edited', { timeout: 300_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'faults-reload');
  await page.getByTestId('tau').fill('0.07');
  await page.getByTestId('tau').press('Enter');
  await page.getByTestId('seed').fill('3');
  await page.getByTestId('seed').press('Enter');
  const editor = page.getByTestId('rasp-source');
  await page.getByTestId('rasp-panel').evaluate((d) => d.setAttribute('open', ''));
  const program = `${await editor.inputValue()}\n# edited before a reload\n`;
  await editor.fill(program);
  // The editor keeps its text as it is typed (no Compile needed).
  await page.waitForFunction((text) => Object.values(localStorage).includes(text), program, { timeout: 10_000 });

  await page.reload();
  await waitSettled(page);
  assert.equal(Number(await page.getByTestId('tau').inputValue()), 0.07);
  assert.equal(await page.getByTestId('seed').inputValue(), '3');
  await page.getByTestId('rasp-panel').evaluate((d) => d.setAttribute('open', ''));
  assert.equal(await page.getByTestId('rasp-source').inputValue(), program);
  await page.close();
});
