// Faults nobody chooses: the model's worker dies in the middle of a run (an
// uncaught error, as a wasm trap is), and the page is reloaded. The page says
// what happened, keeps the settings and what the person wrote, and the next
// run is right: the CLI's circuit, edge for edge.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faultQuery, recoversFrom, runUntilUnderWay } from './faults.mjs';
import { modelWorkers, openPage, pageSession, waitSettled } from './harness.mjs';

const session = pageSession();

test('a worker that crashes mid-run: the page says so, keeps the settings, and the next run equals the CLI’s', { timeout: 400_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}${faultQuery()}`, 'faults-crash');
  await runUntilUnderWay(page);
  const workers = modelWorkers(page);
  assert.equal(workers.length, 1, 'one model worker');
  // An uncaught error in the worker, as a wasm trap or an out-of-memory abort would be.
  await workers[0].evaluate(() => {
    setTimeout(() => {
      throw new Error('crashed by the test');
    }, 0);
  });
  await recoversFrom(page, { code: 'worker_crashed', said: [/crashed by the test/, /restarted/], name: 'faults-crash' });
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
