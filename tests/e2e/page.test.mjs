// The page opens, names its backend, shows the model list, and asks nothing of
// any host but its own.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllLocal } from './acdc.mjs';
import {
  DEFAULT_MODEL,
  choosePrompt,
  fetchIndex,
  launchBrowser,
  openPage,
  pageSession,
  predictOnPage,
  screenshot,
  testModel,
} from './harness.mjs';

const session = pageSession();

test('the page opens and the backend badge names WebGPU or CPU', { timeout: 300_000 }, async () => {
  const page = await openPage(session.browser.context, session.server.url, 'page-opens', 240_000);
  const badge = page.getByTestId('backend');
  assert.match(await badge.innerText(), /WebGPU|CPU/);
  assert.match((await badge.getAttribute('data-backend')) ?? '', /^(webgpu|cpu)$/);
  await screenshot(page, 'page-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'page-dark');
  await page.close();
});

test('the model picker lists models/index.json with the card', { timeout: 300_000 }, async () => {
  const index = await fetchIndex(session.server.url);
  assert.ok(index.length > 0, 'models/index.json lists no model');
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'model-picker');
  const options = await page.getByTestId('model-select').locator('option').evaluateAll((os) =>
    os.map((o) => o.getAttribute('value')),
  );
  assert.deepEqual(options, index.map((m) => m.id));
  const selected = await page.getByTestId('model-select').inputValue();
  assert.equal(await page.getByTestId('model-card').innerText(), index.find((m) => m.id === selected)?.card ?? '');
  await page.close();
});

test('every request the page makes stays on localhost', { timeout: 300_000 }, async () => {
  const index = await fetchIndex(session.server.url);
  const model = testModel(index);
  session.browser.requests.length = 0;
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'requests');
  if (model) {
    const { prompt } = choosePrompt(model.id);
    await page.getByTestId('model-select').selectOption(model.id);
    const shown = await predictOnPage(page, prompt);
    assert.equal(shown.error, null);
  }
  await page.close();

  assert.ok(session.browser.requests.length > 0, 'no request was recorded');
  // The worker's fetches are recorded too, or this test would prove little.
  assert.ok(
    session.browser.requests.some((u) => u.endsWith('/model.safetensors')),
    `the worker's weight download was not recorded: ${session.browser.requests.join(', ')}`,
  );
  const local = (u) => {
    const url = new URL(u);
    if (url.protocol === 'data:' || url.protocol === 'blob:') return true;
    return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  };
  assert.deepEqual(session.browser.requests.filter((u) => !local(u)), [], 'requests that left localhost');
});

test('the embed page and a lesson stay on localhost too', { timeout: 300_000 }, async () => {
  session.browser.requests.length = 0;
  const embed = await session.browser.context.newPage();
  await embed.goto(`${session.server.url}embed-example.html`);
  await embed.locator('circuit-playground').first().scrollIntoViewIfNeeded();
  await embed.locator('circuit-playground [data-testid="status"][data-state="ready"]').first().waitFor({ timeout: 120_000 });
  await embed.close();
  const lesson = await openPage(session.browser.context, `${session.server.url}?backend=cpu&lesson=what-the-model-does`, 'requests-lesson');
  await lesson.waitForSelector('[data-testid="lesson"][data-step="0"][data-setup="done"]', { timeout: 120_000 });
  await lesson.close();
  assert.ok(session.browser.requests.some((u) => u.includes('/lessons/')), 'the lesson was fetched');
  assertAllLocal(session.browser.requests);
});

test('the weights download while the wasm module is still arriving', { timeout: 300_000 }, async () => {
  // The page's wasm response is held until the default model's weights are requested (or a minute
  // has passed): only a page that fetches the model in parallel with the module asks for them
  // first. A fresh profile, and the service worker's own fetches (it caches files for offline
  // use) neither held nor counted.
  const browser = await launchBrowser();
  const fromPage = (request) => request.serviceWorker() === null;
  let requested = () => {};
  const weightsRequested = new Promise((resolve) => (requested = () => resolve(true)));
  browser.context.on('request', (request) => {
    if (fromPage(request) && request.url().endsWith(`/models/${DEFAULT_MODEL}/model.safetensors`)) requested();
  });
  let held = null;
  await browser.context.route('**/*.wasm', async (route) => {
    if (fromPage(route.request())) {
      const early = await Promise.race([weightsRequested, new Promise((resolve) => setTimeout(() => resolve(false), 60_000))]);
      held ??= early;
    }
    await route.continue();
  });
  try {
    const page = await openPage(browser.context, `${session.server.url}?backend=cpu`, 'prefetch', 240_000);
    assert.equal(held, true, 'the weights were requested only after the wasm module had arrived');
  } finally {
    await browser.close();
  }
});
