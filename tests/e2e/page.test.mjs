// The page opens, names its backend, shows the model list, and asks nothing of
// any host but its own.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  fetchIndex,
  launchBrowser,
  openPage,
  predictOnPage,
  screenshot,
  startServer,
  testModel,
  choosePrompt,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the page opens and the backend badge names WebGPU or CPU', { timeout: 300_000 }, async () => {
  const page = await openPage(browser.context, server.url, 'page-opens', 240_000);
  const badge = page.getByTestId('backend');
  assert.match(await badge.innerText(), /WebGPU|CPU/);
  assert.match((await badge.getAttribute('data-backend')) ?? '', /^(webgpu|cpu)$/);
  await screenshot(page, 'page-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'page-dark');
  await page.close();
});

test('the model picker lists models/index.json with the card', { timeout: 300_000 }, async () => {
  const index = await fetchIndex(server.url);
  assert.ok(index.length > 0, 'models/index.json lists no model');
  const page = await openPage(browser.context, `${server.url}?backend=cpu`, 'model-picker');
  const options = await page.getByTestId('model-select').locator('option').evaluateAll((os) =>
    os.map((o) => o.getAttribute('value')),
  );
  assert.deepEqual(options, index.map((m) => m.id));
  const selected = await page.getByTestId('model-select').inputValue();
  assert.equal(await page.getByTestId('model-card').innerText(), index.find((m) => m.id === selected)?.card ?? '');
  await page.close();
});

test('every request the page makes stays on localhost', { timeout: 300_000 }, async () => {
  const index = await fetchIndex(server.url);
  const model = testModel(index);
  browser.requests.length = 0;
  const page = await openPage(browser.context, `${server.url}?backend=cpu`, 'requests');
  if (model) {
    const { prompt } = choosePrompt(model.id);
    await page.getByTestId('model-select').selectOption(model.id);
    const shown = await predictOnPage(page, prompt);
    assert.equal(shown.error, null);
  }
  await page.close();

  assert.ok(browser.requests.length > 0, 'no request was recorded');
  // The worker's fetches are recorded too, or this test would prove little.
  assert.ok(
    browser.requests.some((u) => u.endsWith('/model.safetensors')),
    `the worker's weight download was not recorded: ${browser.requests.join(', ')}`,
  );
  const local = (u) => {
    const url = new URL(u);
    if (url.protocol === 'data:' || url.protocol === 'blob:') return true;
    return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  };
  assert.deepEqual(browser.requests.filter((u) => !local(u)), [], 'requests that left localhost');
});
