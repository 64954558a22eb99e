// The RASP editor in the page: the reverse example compiles into the current
// model (its residual layout shown, its paper task opened with zero ablation
// and L2), ACDC runs to the end, and the ground-truth overlay says it found
// exactly the 15 edges the program uses; a program that does not compile is
// pointed at by line and column and the compiled model stays loaded. On one
// input the model outputs what the program does. "Run ACDC" beside Compile
// runs it and brings the graph into view; the example menu names the example
// loaded; the legend follows the overlay's colours. A
// shipped compiled model picked from the list opens with its own task and gets
// the overlay from its ground_truth.json, misses included at a τ too high.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllLocal, waitRun } from './acdc.mjs';
import { ARTIFACTS, openPage, pageSession, screenshot, waitSettled } from './harness.mjs';

const session = pageSession();

/** @param {import('playwright-core').Page} page */
async function truthCounts(page) {
  await page.waitForSelector('[data-testid="truth"]:not([hidden])', { timeout: 10_000 });
  const count = async (id) => Number(await page.getByTestId(id).getAttribute('data-value'));
  return { tp: await count('truth-tp'), misses: await count('truth-misses'), extras: await count('truth-extras') };
}

/** @param {import('playwright-core').Page} page */
async function runToTheEnd(page) {
  await page.getByTestId('speed').selectOption('max');
  await page.waitForSelector('[data-testid="run"]:enabled', { timeout: 30_000 });
  await page.getByTestId('run').click();
  await waitRun(page, (r) => r.phase === 'done', 180_000, 'the run on the compiled model');
}

/** @param {import('playwright-core').Page} page */
async function compile(page) {
  await page.getByTestId('rasp-compile').click();
  await page.waitForSelector('[data-testid="rasp-compile"]:enabled', { timeout: 60_000 });
  await waitSettled(page);
}

test('the reverse example compiles, and ACDC finds exactly its ground truth', { timeout: 300_000 }, async () => {
  session.browser.requests.length = 0;
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'rasp-editor');
  await page.getByTestId('rasp-panel').locator('summary').click();
  await page.getByTestId('rasp-example').selectOption('tracr-reverse');
  assert.match(await page.getByTestId('rasp-source').inputValue(), /reverse = Aggregate/);
  await compile(page);

  assert.match(await page.getByTestId('rasp-note').innerText(), /tracr-reverse is the current model/);
  assert.equal(await page.getByTestId('rasp-example').inputValue(), 'tracr-reverse', 'the menu names the example loaded');
  assert.equal(await page.getByTestId('residual-layout').getAttribute('data-directions'), '40');
  const writers = await page.$$eval('[data-testid="layout-group"]', (groups) => groups.map((g) => g.getAttribute('data-writer')));
  assert.deepEqual(writers, [
    'hook_embed',
    'hook_pos_embed',
    'blocks.0.attn.hook_result',
    'blocks.0.hook_mlp_out',
    'blocks.1.hook_mlp_out',
    'blocks.2.hook_mlp_out',
    'blocks.3.attn.hook_result',
  ]);
  assert.match(await page.getByTestId('status').innerText(), /tracr-reverse/);
  // The paper's task and settings for tracr.
  assert.equal(await page.getByTestId('task').inputValue(), 'tracr-reverse');
  assert.equal(await page.getByTestId('metric').inputValue(), 'l2');
  assert.equal(await page.getByTestId('ablation').inputValue(), 'zero');
  assert.equal(Number(await page.getByTestId('tau').inputValue()), 1e-3);
  assert.equal(await page.getByTestId('graph-panel').getAttribute('data-edges'), '106');

  // The weights compute the program: one input, side by side.
  await page.getByTestId('rasp-input').fill('3 1 2 2');
  await page.getByTestId('rasp-run').click();
  await page.waitForSelector('[data-testid="input-verdict"][data-agree]', { timeout: 30_000 });
  const cells = (id) => page.$$eval(`[data-testid="${id}"] td`, (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(await cells('run-program'), ['2', '2', '1', '3']);
  assert.deepEqual(await cells('run-model'), ['2', '2', '1', '3']);
  assert.equal(await page.getByTestId('input-verdict').getAttribute('data-agree'), 'true');
  await page.getByRole('region', { name: 'Run the program and its model on an input' }).screenshot({ path: `${ARTIFACTS}/rasp-input-run.png` });
  await page.getByTestId('rasp-input').fill('3 1 4');
  await page.getByTestId('rasp-run').click();
  await page.getByTestId('input-verdict').filter({ hasText: 'vocabulary' }).waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('input-verdict').innerText(), /`4` is not in the vocabulary \{1, 2, 3\}/);

  // "Run ACDC" beside Compile: the run starts, and its controls and graph come into view.
  await page.getByTestId('speed').selectOption('max');
  assert.equal(await page.getByTestId('legend').getAttribute('data-mode'), 'fate');
  await page.waitForSelector('[data-testid="rasp-run-acdc"]:enabled', { timeout: 30_000 });
  await page.getByTestId('rasp-run-acdc').click();
  await waitRun(page, (r) => r.phase === 'done', 180_000, 'the run from the RASP panel');
  await page.waitForFunction(() => {
    const bar = document.querySelector('circuit-playground')?.shadowRoot?.querySelector('[data-testid="run-bar"]');
    const box = bar?.getBoundingClientRect();
    return box !== undefined && box.top >= 0 && box.bottom <= window.innerHeight;
  }, undefined, { timeout: 10_000 });
  assert.deepEqual(await truthCounts(page), { tp: 15, misses: 0, extras: 0 });
  // The graph is coloured by the ground truth now, and so is the legend.
  assert.equal(await page.getByTestId('legend').getAttribute('data-mode'), 'truth');
  assert.match(await page.getByTestId('legend').innerText(), /found \(true positive\).*missed.*extra/s);
  assert.equal(Number(await page.getByTestId('truth-rates').getAttribute('data-tpr')), 1);
  assert.equal(Number(await page.getByTestId('truth-rates').getAttribute('data-fpr')), 0);
  assert.equal(await page.getByTestId('graph-panel').getAttribute('data-truth'), 'shown');
  await screenshot(page, 'rasp-reverse-truth');
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await page.waitForTimeout(300);
  await page.getByTestId('stage').screenshot({ path: `${ARTIFACTS}/rasp-reverse-truth-graph.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByTestId('stage').screenshot({ path: `${ARTIFACTS}/rasp-reverse-truth-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });

  // A program that does not compile: pointed at, and the compiled model stays.
  const broken = 'vocab = {1, 2, 3}\nmax_seq_len = 4\nx = Map(x -> x +, tokens)\n';
  await page.getByTestId('rasp-source').fill(broken);
  await compile(page);
  const error = page.getByTestId('rasp-error');
  await error.waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await error.getAttribute('data-line'), '3');
  assert.equal(await error.getAttribute('data-column'), '17');
  assert.match(await error.innerText(), /Line 3, column 17: expected an expression, found `,`/);
  assert.match(await error.innerText(), /previous model is still loaded/);
  assert.equal(await page.getByTestId('rasp-source').inputValue(), broken, 'the text is kept');
  assert.match(await page.getByTestId('status').innerText(), /Ready: tracr-reverse/);
  assert.equal(await page.getByTestId('truth').isVisible(), true, 'the run and its overlay are untouched');
  await error.scrollIntoViewIfNeeded();
  await screenshot(page, 'rasp-compile-error');

  // The text survives a reload.
  await page.reload();
  await waitSettled(page);
  assert.equal(await page.getByTestId('rasp-source').inputValue(), broken);
  await page.close();
  assertAllLocal(session.browser.requests);
});

test('a shipped compiled model opens with its task and gets the overlay from its ground_truth.json', { timeout: 240_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'rasp-shipped');
  await page.getByTestId('model-select').selectOption('tracr-proportion');
  await waitSettled(page);
  assert.match(await page.getByTestId('status').innerText(), /Ready: tracr-proportion/);
  assert.equal(await page.getByTestId('task').inputValue(), 'tracr-proportion');
  assert.equal(await page.getByTestId('ablation').inputValue(), 'zero');
  // Its residual layout, read off its ground_truth.json as for a program compiled here.
  await page.getByTestId('rasp-panel').locator('summary').click();
  const layout = page.getByTestId('residual-layout');
  await layout.waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await page.getByTestId('layout-summary').innerText(), /^tracr-proportion: 2 layers × 1 head, .* 38 edges of which 8/);
  const writers = await page.$$eval('[data-testid="layout-group"]', (groups) => groups.map((g) => g.getAttribute('data-writer')));
  assert.deepEqual(writers, ['hook_embed', 'hook_pos_embed', 'blocks.0.hook_mlp_out', 'blocks.1.attn.hook_result']);
  await layout.screenshot({ path: `${ARTIFACTS}/rasp-proportion-layout.png` });
  await runToTheEnd(page);
  // The paper's 10 edges less the two its BOS-inside rows need (tasks/tracr.rs).
  assert.deepEqual(await truthCounts(page), { tp: 8, misses: 0, extras: 0 });

  // Above the q and k edges' effect ACDC drops them: misses, never an extra (rasp_recovery.rs).
  await page.getByTestId('tau').fill('0.1');
  await page.getByTestId('tau').dispatchEvent('change');
  await runToTheEnd(page);
  const high = await truthCounts(page);
  assert.ok(high.misses > 0 && high.extras === 0 && high.tp + high.misses === 8, JSON.stringify(high));
  assert.match(await page.getByTestId('truth-note').innerText(), /Misses are ground-truth edges ACDC removed/);
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await page.getByTestId('stage').screenshot({ path: `${ARTIFACTS}/rasp-proportion-misses.png` });

  // A model with no ground truth has no layout to show.
  await page.getByTestId('model-select').selectOption('induction-2l');
  await waitSettled(page);
  assert.equal(await layout.isVisible(), false);
  await page.close();
});

test('an edited program is compiled under its own name, and a link to it compiles the saved text', { timeout: 240_000 }, async () => {
  const context = session.browser.context;
  const page = await openPage(context, `${session.server.url}?backend=cpu`, 'rasp-edited');
  await page.getByTestId('rasp-panel').locator('summary').click();
  await page.getByTestId('rasp-source').fill('vocab = {a, b, c}\nmax_seq_len = 4\ncount = SelectorWidth(Select(tokens, tokens, EQ))\n');
  await compile(page);
  assert.match(await page.getByTestId('status').innerText(), /Ready: rasp-program/);
  assert.equal(await page.getByTestId('task').inputValue(), 'tracr-program');
  assert.equal(await page.getByTestId('ablation').inputValue(), 'zero');
  await runToTheEnd(page);
  const counts = await truthCounts(page);
  assert.deepEqual([counts.misses, counts.extras], [0, 0], JSON.stringify(counts));
  const link = page.url();
  assert.match(link, /model=rasp-program/);
  await page.close();

  const linked = await openPage(context, link, 'rasp-edited-link');
  assert.match(await linked.getByTestId('status').innerText(), /Ready: rasp-program/);
  assert.equal(await linked.getByTestId('task').inputValue(), 'tracr-program');
  assert.equal(await linked.getByTestId('error').isVisible(), false, 'no "unknown model" error');
  await linked.close();
});
