// The circuit the page exports equals the one the CLI writes for the same
// model, task, τ, metric, ablation, seed, rows and visit orders (ACDC's decisions
// edge by edge, the kept set, the metrics within 1e-4 relative): on the
// threaded wasm build where the page is cross-origin isolated (the served
// page is; two threads asked for, `threads=2`, since two cores run one by
// default), and on the one-thread build where it is not (an embed in a site
// that sends no COOP/COEP headers).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { assertSameCircuit, cliAcdc, waitRun } from './acdc.mjs';
import { DEFAULT_MODEL, launchBrowser, openPage, pageSession, screenshot, serveWithoutIsolation } from './harness.mjs';

const session = pageSession();

// Not all defaults, so that every input is seen to reach the run.
const SETTINGS = {
  model: DEFAULT_MODEL,
  task: 'induction',
  tau: 0.03,
  metric: 'kl',
  ablation: 'resample',
  seed: 1,
  indicesMode: 'reverse',
  namesMode: 'normal',
  rows: 24,
};

const s = SETTINGS;
const QUERY = `?backend=cpu&autorun=1&speed=max&model=${s.model}&task=${s.task}&tau=${s.tau}&metric=${s.metric}&ablation=${s.ablation}&seed=${s.seed}&indices=${s.indicesMode}&names=${s.namesMode}&rows=${s.rows}`;

test('the exported circuit.json equals the CLI’s', { timeout: 300_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}${QUERY}&threads=2`, 'acdc-cli');
  const expected = cliAcdc(s);
  const badge = page.getByTestId('backend');
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the served page is cross-origin isolated');
  assert.equal(await badge.getAttribute('data-threads'), '2', 'the threaded build computes on the threads asked for');
  assert.match((await badge.textContent()) ?? '', /CPU · 2 threads/);
  assert.equal(await page.getByTestId('rows').inputValue(), String(s.rows));
  await waitRun(page, (r) => r.phase === 'done', 180_000, 'the page’s run');
  await screenshot(page, 'acdc-cli');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  assert.equal(download.suggestedFilename(), 'circuit.json');
  const circuit = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(typeof circuit.wall_time, 'number');
  assertSameCircuit(circuit, expected);

  const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
  assert.match(readFileSync(await svg.path(), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
  assert.deepEqual([...readFileSync(await png.path()).subarray(1, 4)], [...Buffer.from('PNG')]);
  await page.close();
});

test('by default the pool leaves the page a core: one thread on two cores', { timeout: 120_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'acdc-cli-default-threads');
  const badge = page.getByTestId('backend');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const threads = cores > 2 ? cores - 1 : 1;
  assert.equal(await badge.getAttribute('data-threads'), String(threads));
  if (threads === 1) assert.match((await badge.getAttribute('title')) ?? '', /one thread: the browser reports \d+ cores?, and the page's own thread needs one/);
  await page.close();
});

test('without cross-origin isolation the page runs on one thread, to the same circuit', { timeout: 300_000 }, async () => {
  // A fresh profile: the first test's service worker would answer the page itself.
  const browser = await launchBrowser();
  const { context } = browser;
  await serveWithoutIsolation(context);
  try {
    const page = await openPage(context, `${session.server.url}${QUERY}&threads=2`, 'acdc-cli-one-thread');
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    const badge = page.getByTestId('backend');
    assert.equal(await badge.getAttribute('data-threads'), '1');
    assert.match((await badge.getAttribute('title')) ?? '', /one thread: the page is not cross-origin isolated/);
    await waitRun(page, (r) => r.phase === 'done', 180_000, 'the page’s run');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    assertSameCircuit(JSON.parse(readFileSync(await download.path(), 'utf8')), cliAcdc(s));
    await page.close();
  } finally {
    await browser.close();
  }
});
