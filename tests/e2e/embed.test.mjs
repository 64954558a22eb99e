// The embedding example: two <circuit-playground> elements on one article,
// each with its own worker, each starting only once scrolled into view and
// pausing when scrolled away; and the app's chrome-less ?embed=1 view.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { assertAllLocal, cliAcdc, readRun, waitRun } from './acdc.mjs';
import { DEFAULT_MODEL, modelWorkers, pageSession, screenshot } from './harness.mjs';

const session = pageSession();

test('the embed example page runs two widgets', { timeout: 240_000 }, async () => {
  session.browser.requests.length = 0;
  const page = await session.browser.context.newPage();
  await page.setViewportSize({ width: 900, height: 700 });
  await page.goto(`${session.server.url}embed-example.html?backend=cpu`);
  const widgets = page.locator('circuit-playground');
  assert.equal(await widgets.count(), 2);
  const [first, second] = [widgets.nth(0), widgets.nth(1)];
  assert.equal(await first.getAttribute('tau'), '0.05');
  assert.equal(await second.getAttribute('tau'), '0.5');

  await waitRun(first, (r) => r.tested >= 2, 90_000, 'the first widget');
  // The second is below the fold: it has not even loaded its model.
  assert.equal(await second.getByTestId('status').getAttribute('data-state'), 'starting');
  assert.equal(modelWorkers(page).length, 1, 'no worker for the widget out of view');
  await screenshot(page, 'embed-first');

  await second.scrollIntoViewIfNeeded();
  await waitRun(second, (r) => r.tested >= 2, 90_000, 'the second widget');
  assert.equal(modelWorkers(page).length, 2, 'one worker per widget');
  // Out of view, the first widget pauses (or had finished): "pausing…" first, then "paused".
  const away = await waitRun(first, (r) => ['paused', 'done'].includes(r.phase), 30_000, 'the first widget pausing');
  assert.ok(['paused', 'done'].includes(away.phase), `the first widget, out of view, is ${away.phase}`);
  assert.equal(Number(await second.getByTestId('tau').inputValue()), 0.5, 'each widget keeps its own τ');
  await screenshot(page, 'embed-second');
  await page.close();
  assertAllLocal(session.browser.requests);
});

test('?embed=1 shows the app without its chrome', { timeout: 120_000 }, async () => {
  const page = await session.browser.context.newPage();
  await page.goto(`${session.server.url}?embed=1&backend=cpu`);
  await page.waitForSelector('[data-testid="status"][data-state="ready"]', { timeout: 90_000 });
  assert.equal(await page.locator('h1').count(), 0, 'no page header');
  assert.equal(await page.getByTestId('prompt').count(), 0, 'no prompt panel');
  assert.equal(await page.getByTestId('run').isEnabled(), true);
  await screenshot(page, 'embed-app');
  await page.close();
});

test('two embeds running at once on a busy machine each find the CLI’s circuit', { timeout: 400_000 }, async () => {
  // The example page as a blog would have it, both demos in view and running at full speed.
  const page = await session.browser.context.newPage();
  await page.setViewportSize({ width: 900, height: 1600 });
  await page.route('**/embed-example.html*', async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replaceAll('autorun></circuit-playground>', 'autorun speed="max"></circuit-playground>');
    await route.fulfill({ response, body });
  });
  // Two busy loops beside the page, as a shared CI machine has.
  const burners = [0, 1].map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  try {
    await page.goto(`${session.server.url}embed-example.html?backend=cpu`);
    const widgets = page.locator('circuit-playground');
    const done = [];
    for (const i of [0, 1]) done.push(await waitRun(widgets.nth(i), (r) => r.phase === 'done', 300_000, `widget ${i + 1}`));
    assert.equal(modelWorkers(page).length, 2, 'one worker per widget');
    // What each demo counted (its counters, read off the page) is what the CLI finds at its τ.
    for (const [i, tau] of [[0, 0.05], [1, 0.5]]) {
      const expected = cliAcdc({ model: DEFAULT_MODEL, task: 'induction', tau, metric: 'kl', ablation: 'resample', seed: 0, indicesMode: 'normal', namesMode: 'normal' });
      const { tested, kept } = done[i];
      assert.deepEqual({ tested, kept }, { tested: expected.tested.length, kept: expected.kept.length }, `widget ${i + 1} (τ ${tau})`);
    }
  } finally {
    for (const b of burners) b.kill();
    await page.close();
  }
});
