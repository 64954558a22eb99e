// The circuit the page exports equals the one the CLI writes for the same
// model, task, τ, metric, ablation, seed and visit orders (ACDC's decisions
// edge by edge, the kept set, the metrics within 1e-4 relative).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { assertSameCircuit, cliAcdc, waitRun } from './acdc.mjs';
import { DEFAULT_MODEL, openPage, pageSession, screenshot } from './harness.mjs';

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
};

test('the exported circuit.json equals the CLI’s', { timeout: 300_000 }, async () => {
  const s = SETTINGS;
  const query = `?backend=cpu&autorun=1&speed=max&model=${s.model}&task=${s.task}&tau=${s.tau}&metric=${s.metric}&ablation=${s.ablation}&seed=${s.seed}&indices=${s.indicesMode}&names=${s.namesMode}`;
  const page = await openPage(session.browser.context, `${session.server.url}${query}`, 'acdc-cli');
  const expected = cliAcdc(s);
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
