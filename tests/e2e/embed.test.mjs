// The embedding example: two <circuit-playground> elements on one article,
// each with its own worker, each starting only once scrolled into view and
// pausing when scrolled away; and the app's chrome-less ?embed=1 view.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllLocal, readRun, waitRun } from './acdc.mjs';
import { pageSession, screenshot } from './harness.mjs';

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
  assert.equal(page.workers().length, 1, 'no worker for the widget out of view');
  await screenshot(page, 'embed-first');

  await second.scrollIntoViewIfNeeded();
  await waitRun(second, (r) => r.tested >= 2, 90_000, 'the second widget');
  assert.equal(page.workers().length, 2, 'one worker per widget');
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
