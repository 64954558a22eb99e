// A host that sends no COOP/COEP headers (a static host): the first visit is
// not cross-origin isolated and runs on one thread, and says why; the offline
// service worker then answers the page with those headers, so the next visit
// is isolated and its worker computes on a pool of threads, to the CLI's circuit.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { assertSameCircuit, cliAcdc, waitRun } from './acdc.mjs';
import { DEFAULT_MODEL, openPage, pageSession, waitSettled } from './harness.mjs';

// Read by www/vite.config.ts when the file's server starts (each test file runs in its own process).
process.env.CIRCUITSCOPE_NO_ISOLATION = '1';
const session = pageSession();

const S = { model: DEFAULT_MODEL, task: 'induction', tau: 0.05, metric: 'kl', ablation: 'resample', seed: 0, indicesMode: 'normal', namesMode: 'normal' };
const QUERY = `?backend=cpu&speed=max&model=${S.model}&task=${S.task}&tau=${S.tau}&metric=${S.metric}&ablation=${S.ablation}&seed=${S.seed}&indices=${S.indicesMode}&names=${S.namesMode}`;

test('a static host: one thread at first, a pool of threads once the service worker adds the headers', { timeout: 300_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}${QUERY}&threads=2`, 'isolation-first');
  const badge = page.getByTestId('backend');
  assert.equal(await page.evaluate(() => crossOriginIsolated), false, 'the server sends no COOP/COEP');
  assert.equal(await badge.getAttribute('data-threads'), '1');
  assert.match((await badge.getAttribute('title')) ?? '', /one thread: the page is not cross-origin isolated/);

  // The worker is active once everything it caches on install is cached.
  await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  // Two threads asked for: two cores run one by default (the page's own thread needs the other).
  await page.goto(`${session.server.url}${QUERY}&threads=2`);
  await waitSettled(page);
  assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the page is controlled');
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the service worker made the page isolated');
  assert.equal(await badge.getAttribute('data-threads'), '2');

  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.phase === 'done', 180_000, 'the page’s run');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  assertSameCircuit(JSON.parse(readFileSync(await download.path(), 'utf8')), cliAcdc(S));
  await page.close();
});
