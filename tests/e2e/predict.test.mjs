// The page's prediction equals the CLI's (`circuitscope run --json`) for the
// same model and prompt, on the CPU backend and on WebGPU. Without a GPU,
// Chromium runs WebGPU through SwiftShader: correct but slow, hence the long
// timeouts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertSameTop,
  choosePrompt,
  fetchIndex,
  openPage,
  pageSession,
  predictOnPage,
  screenshot,
  testModel,
} from './harness.mjs';

const session = pageSession({
  async setup() {
    model = testModel(await fetchIndex(session.server.url));
    if (model) reference = choosePrompt(model.id);
  },
});
let model;
let reference;

const cases = [
  { backend: 'cpu', query: '?backend=cpu', timeout: 240_000 },
  { backend: 'webgpu', query: '', timeout: 540_000 },
];

for (const { backend, query, timeout } of cases) {
  test(`the ${backend} prediction equals the CLI's`, { timeout: timeout + 60_000 }, async (t) => {
    if (!model) return t.skip('models/index.json lists no model with a tokenizer');
    const sep = query ? '&' : '?';
    const page = await openPage(session.browser.context, `${session.server.url}${query}${sep}model=${model.id}`, `predict-${backend}`, timeout);
    assert.equal(
      await page.getByTestId('backend').getAttribute('data-backend'),
      backend,
      `the page runs on another backend: ${await page.getByTestId('backend').innerText()}`,
    );

    const shown = await predictOnPage(page, reference.prompt, timeout);
    await screenshot(page, `predict-${backend}`);
    assert.equal(shown.error, null, `the page showed an error for ${JSON.stringify(reference.prompt)}`);
    assert.deepEqual(shown.tokens, reference.expected.tokens.map((t) => t.id), 'tokenization');
    assertSameTop(shown.top, reference.expected.top);
    await page.close();
  });
}
