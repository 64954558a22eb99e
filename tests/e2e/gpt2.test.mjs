// "Load GPT-2 small" on request, without the network: a small random
// checkpoint with Hugging Face GPT-2 names (the real file's layout: no
// `transformer.` prefix, causal-mask buffers, tied lm_head) and GPT-2's
// vocabulary, so models/gpt2/tokenizer.json applies, is served in place of
// Hugging Face's URL by Playwright's page.route, and its config in place of
// /models/gpt2/config.json. Nothing leaves localhost.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONFIG, GPT2_URL, randomGpt2, routeGpt2 } from './gpt2-fixture.mjs';
import {
  assertSameTop,
  choosePrompt,
  CLI_PATH,
  openPage,
  pageSession,
  predictOnPage,
  ROOT,
  screenshot,
  TOP_K,
  waitSettled,
} from './harness.mjs';

const PROMPT = 'When Mary and John went to the store, John gave a drink to';


const session = pageSession({
  async setup() {
    temp = mkdtempSync(join(tmpdir(), 'circuitscope-gpt2-'));
    weights = randomGpt2(CONFIG, 1234);
    writeFileSync(join(temp, 'model.safetensors'), weights);
    writeFileSync(join(temp, 'config.json'), JSON.stringify(CONFIG));
    copyFileSync(join(ROOT, 'models/gpt2/tokenizer.json'), join(temp, 'tokenizer.json'));
    reference = cliPredict(temp, PROMPT);
    await serveGpt2(session.browser.context);
  },
  async teardown() {
    if (temp) rmSync(temp, { recursive: true, force: true });
  },
});
let temp;
/** The checkpoint's bytes, and the CLI's prediction for PROMPT on it. */
let weights;
let reference;
/** Requests served by the routes of serveGpt2. */
const hits = { weights: 0, config: 0 };

test('GPT-2 loads only on request, with progress, predicts, and comes from the cache the second time', { timeout: 300_000 }, async () => {
  session.browser.requests.length = 0;
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'gpt2-load');
  hits.weights = hits.config = 0;
  const panel = page.locator('[data-model="gpt2"]');
  assert.equal(await panel.getByTestId('remote-url').inputValue(), GPT2_URL);
  assert.equal(await panel.getByTestId('remote-cache').getAttribute('data-cached'), 'false');
  assert.ok(!session.browser.requests.some((u) => u.startsWith(GPT2_URL)), 'the weights were fetched before anyone asked');

  await panel.getByTestId('remote-load').click();
  await waitSettled(page);
  await screenshot(page, 'gpt2-loaded');
  assert.equal(await visibleError(page), null);
  assert.equal(hits.weights, 1, 'one download');
  assert.ok(hits.config >= 1, 'the config came from /models/gpt2/config.json');
  const bar = panel.getByTestId('remote-progress');
  assert.equal(await bar.getAttribute('data-source'), 'network');
  assert.equal(Number(await bar.getAttribute('data-bytes')), weights.length);
  assert.equal(await bar.evaluate((b) => /** @type {HTMLProgressElement} */ (b).value), 1);
  assert.equal(await panel.getByTestId('remote-cache').getAttribute('data-cached'), 'true');
  assert.equal(await page.getByTestId('model-select').inputValue(), 'gpt2');
  const facts = await page.getByTestId('model-facts').innerText();
  assert.match(facts, /n_layers 2\b/);
  assert.match(facts, /d_model 64\b/);
  assert.match(facts, /d_vocab 50257\b/);
  assert.match(await page.getByTestId('status').innerText(), /Ready: gpt2 \(huggingface\.co\)/);

  // GPT-2's tokenizer, and the same numbers as the CLI on the same checkpoint.
  const shown = await predictOnPage(page, PROMPT);
  assert.equal(shown.error, null);
  assert.deepEqual(shown.tokens, gpt3Encode(PROMPT), 'the page tokenizes as gpt-3-encoder does');
  assert.deepEqual(shown.tokens, reference.tokens.map((t) => t.id));
  assertSameTop(shown.top, reference.top);

  // The tasks are those of every model: each shows its data, or an error that names it; ioi and
  // greater-than show the paper's own GPT-2 rows (crate/src/tasks/paper_gpt2.rs).
  const tasks = await page.getByTestId('task').locator('option').evaluateAll((os) => os.map((o) => o.getAttribute('value') ?? ''));
  assert.ok(tasks.includes('induction'), `tasks: ${tasks}`);
  for (const task of tasks) {
    await page.getByTestId('task').selectOption(task);
    await page
      .locator('[data-testid="sample-clean"]:visible, [data-testid="error"][data-code="task"]')
      .first()
      .waitFor({ timeout: 60_000 });
    const error = await visibleError(page);
    if (task === 'induction') assert.equal(error, null, 'induction runs on any vocabulary');
    else if (task === 'ioi' || task === 'greater-than') assert.equal(error, null, `${task}: the paper's GPT-2 rows`);
    else if (error !== null) assert.match(error, new RegExp(task), `the error for ${task} names it`);
    if (error !== null) await page.getByTestId('error').getByRole('button', { name: 'Dismiss' }).click();
  }
  await page.close();

  // A second page: the same URL is read from the cache, and the network is not asked.
  const second = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'gpt2-cached');
  const panel2 = second.locator('[data-model="gpt2"]');
  assert.equal(await panel2.getByTestId('remote-cache').getAttribute('data-cached'), 'true');
  await panel2.getByTestId('remote-load').click();
  await waitSettled(second);
  assert.equal(await visibleError(second), null);
  assert.equal(hits.weights, 1, 'the second load did not download');
  assert.equal(await panel2.getByTestId('remote-progress').getAttribute('data-source'), 'cache');
  assert.match(await second.getByTestId('status').innerText(), /Ready: gpt2 \(huggingface\.co, cached\)/);
  const again = await predictOnPage(second, PROMPT);
  assertSameTop(again.top, reference.top);

  await second.close();

  // A link to the model opens it from the cache, without asking the network either.
  const linked = await openPage(session.browser.context, `${session.server.url}?backend=cpu&model=gpt2`, 'gpt2-link');
  await linked.waitForSelector('[data-testid="status"][data-state="ready"]:has-text("gpt2")', { timeout: 60_000 });
  assert.equal(await visibleError(linked), null);
  assert.equal(hits.weights, 1);
  assert.equal(await linked.getByTestId('model-select').inputValue(), 'gpt2');

  // "Forget cached model" empties the cache.
  const panel3 = linked.locator('[data-model="gpt2"]');
  await panel3.getByTestId('remote-forget').click();
  await linked.waitForSelector('[data-model="gpt2"] [data-testid="remote-cache"][data-cached="false"]');
  await linked.close();

  const outside = session.browser.requests.filter((u) => !/^(https?:\/\/(127\.0\.0\.1|localhost)[:/]|data:|blob:)/.test(u));
  assert.deepEqual([...new Set(outside)], [GPT2_URL], 'the only outside URL is the routed one');
});

test('on WebGPU the same checkpoint predicts what the CLI does', { timeout: 300_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=webgpu`, 'gpt2-webgpu', 240_000);
  assert.equal(await page.getByTestId('backend').getAttribute('data-backend'), 'webgpu');
  await page.locator('[data-model="gpt2"]').getByTestId('remote-load').click();
  await waitSettled(page, 240_000);
  assert.equal(await visibleError(page), null);
  const shown = await predictOnPage(page, PROMPT, 240_000);
  assert.equal(shown.error, null);
  assert.deepEqual(shown.tokens, reference.tokens.map((t) => t.id));
  assertSameTop(shown.top, reference.top);
  await page.evaluate(() => caches.delete('circuitscope-weights-v1'));
  await page.close();
});

test('a link to GPT-2 without a cached copy says how to load it; nothing is fetched', { timeout: 120_000 }, async () => {
  session.browser.requests.length = 0;
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&model=gpt2`, 'gpt2-not-cached');
  await page.getByTestId('error').waitFor({ state: 'visible', timeout: 60_000 });
  assert.match(await page.locator('.error-message').innerText(), /GPT-2 small is loaded only on request/);
  assert.match(await page.locator('.error-hint').innerText(), /Load GPT-2 small/);
  assert.notEqual(await page.getByTestId('model-select').inputValue(), 'gpt2');
  assert.ok(!session.browser.requests.some((u) => u.startsWith(GPT2_URL)), 'the weights were fetched');
  await page.close();
});

test('a failed or cancelled download shows an error and keeps the current model', { timeout: 240_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'gpt2-failed');
  await page.evaluate(() => caches.delete('circuitscope-weights-v1'));
  await page.reload();
  await waitSettled(page);
  const before = await page.getByTestId('model-select').inputValue();
  const panel = page.locator('[data-model="gpt2"]');

  // The server breaks the connection.
  await page.route(GPT2_URL, (route) => route.abort('connectionreset'));
  await panel.getByTestId('remote-load').click();
  await page.getByTestId('error').waitFor({ state: 'visible', timeout: 60_000 });
  await waitSettled(page);
  assert.equal(await page.getByTestId('error').getAttribute('data-code'), 'fetch');
  assert.match(await page.locator('.error-message').innerText(), /huggingface\.co/);
  assert.equal(await page.getByTestId('model-select').inputValue(), before);
  assert.match(await page.getByTestId('status').innerText(), new RegExp(`Ready: ${before}`));
  assert.equal(await panel.getByTestId('remote-cache').getAttribute('data-cached'), 'false');

  // The server never answers; the user cancels.
  await page.unrouteAll();
  await page.route(GPT2_URL, () => undefined);
  await panel.getByTestId('remote-load').click();
  await panel.getByTestId('remote-cancel').click();
  await page.waitForSelector('[data-testid="error"]:not([hidden])');
  await waitSettled(page);
  assert.match(await page.locator('.error-message').innerText(), /cancelled/);
  assert.equal(await page.getByTestId('model-select').inputValue(), before);
  assert.ok(await panel.getByTestId('remote-load').isVisible(), 'Load is back');
  await screenshot(page, 'gpt2-cancelled');

  // A file that is not a checkpoint is refused and not cached.
  await page.unrouteAll();
  await page.route(GPT2_URL, (route) =>
    route.fulfill({ status: 200, body: '<html>not weights</html>', headers: { 'access-control-allow-origin': '*' } }),
  );
  await panel.getByTestId('remote-load').click();
  await page.waitForSelector('[data-testid="error"][data-code="load"]');
  await waitSettled(page);
  assert.match(await page.locator('.error-message').innerText(), /weights/);
  assert.equal(await page.getByTestId('model-select').inputValue(), before);
  await page.waitForSelector('[data-model="gpt2"] [data-testid="remote-cache"][data-cached="false"]');
  const { prompt, expected } = choosePrompt(before);
  const shown = await predictOnPage(page, prompt);
  assert.equal(shown.error, null);
  assertSameTop(shown.top, expected.top);
  await page.close();
});

/**
 * Serves the checkpoint at Hugging Face's URL and its config at
 * /models/gpt2/config.json to every page (a page's own routes win), counting
 * requests in `hits`.
 * @param {import('playwright-core').BrowserContext} context
 */
async function serveGpt2(context) {
  await routeGpt2(context, CONFIG, weights, (what) => hits[what]++);
}

/** @param {import('playwright-core').Page} page */
async function visibleError(page) {
  const error = page.getByTestId('error');
  return (await error.isVisible()) ? error.innerText() : null;
}

function gpt3Encode(text) {
  return createRequire(import.meta.url)('gpt-3-encoder').encode(text);
}

/** `circuitscope run --model <dir> --prompt … --json`. */
function cliPredict(dir, prompt) {
  if (!existsSync(CLI_PATH)) throw new Error(`no CLI at ${CLI_PATH}: cargo build the circuitscope binary, or set CIRCUITSCOPE_BIN`);
  const run = spawnSync(CLI_PATH, ['run', '--model', dir, '--prompt', prompt, '--top', String(TOP_K), '--json'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`the CLI failed on the random GPT-2: ${run.stderr || run.stdout}`);
  return JSON.parse(run.stdout.split('\n').findLast((l) => l.trim().startsWith('{')) ?? run.stdout);
}
