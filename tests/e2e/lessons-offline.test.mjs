// Offline after the first visit (classroom networks fail): the page is loaded
// once, its service worker caches the page, the wasm, the models and the
// lessons; then the network is cut (context.setOffline) and the server is
// stopped, the page is reloaded, and lesson 2 is finished. The worker answers
// only its own origin: a request to another site reaches the network (here,
// a route) untouched. It is registered only once the page has started.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitRun } from './acdc.mjs';
import { launchBrowser, openPage, startServer } from './harness.mjs';
import { ORACLES } from './lesson-oracles.mjs';
import { walkLesson } from './lessons.mjs';

test('load once, cut the network, reload, finish lesson 2', { timeout: 1_800_000 }, async () => {
  const oracle = await ORACLES['induction-heads']();
  const server = await startServer();
  const browser = await launchBrowser();
  let serverUp = true;
  try {
    const { context } = browser;
    const page = await openPage(context, `${server.url}?backend=cpu`, 'lessons-offline-first');
    // The worker is active once everything it caches on install is cached.
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, server.url);

    // A second visit is controlled by the worker; another origin is not its business.
    await page.reload();
    await page.waitForSelector('[data-testid="status"]:is([data-state="ready"], [data-state="failed"])', { timeout: 120_000 });
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the page is controlled');
    let routed = 0;
    await page.route('https://example.com/**', (route) => {
      routed++;
      return route.fulfill({ status: 200, body: 'from the route', headers: { 'access-control-allow-origin': '*' } });
    });
    const body = await page.evaluate(() => fetch('https://example.com/probe').then((r) => r.text()));
    assert.equal(body, 'from the route');
    assert.equal(routed, 1, 'the cross-origin request went past the service worker');
    await page.close();

    await context.setOffline(true);
    await server.close();
    serverUp = false;
    const offline = await context.newPage();
    await offline.goto(`${server.url}?backend=cpu&lesson=induction-heads`);
    await offline.waitForSelector('[data-testid="status"][data-state="ready"]', { timeout: 240_000 });
    const results = await walkLesson(offline, { id: 'induction-heads', oracle, mode: 'right', shots: 'lessons-offline' });
    assert.deepEqual(results.map((r) => r.correct), [true, true, true, true]);
    assert.match(await offline.getByTestId('lesson-score').innerText(), /4 of 4/);
    await offline.close();
  } finally {
    await browser.close();
    if (serverUp) await server.close();
  }
});

// The install downloads every build of the module and every model (~15 MB): begun with the page,
// it took a second of CPU from the first tested edge on two cores. So the page registers the
// worker once its first run has ended (or its model is loaded, when no run was asked for).
test('the service worker is registered after the first run, not while the page starts', { timeout: 300_000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      const container = navigator.serviceWorker;
      const register = container.register.bind(container);
      container.register = (...args) => {
        const stage = document.querySelector('circuit-playground')?.shadowRoot?.querySelector('[data-testid="stage"]');
        sessionStorage.setItem('registered-during', stage?.getAttribute('data-phase') ?? 'no stage');
        return register(...args);
      };
    });
    await page.goto(`${server.url}?backend=cpu&autorun=1&speed=max`);
    await waitRun(page, (r) => r.phase === 'done', 180_000, 'the first run');
    assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.ready).scope), server.url);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('registered-during')), 'done');
  } finally {
    await browser.close();
    await server.close();
  }
});
