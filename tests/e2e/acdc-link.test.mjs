// "Copy link" puts every input in the URL, and opening that link restores them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, pageSession } from './harness.mjs';

const session = pageSession();

/** @param {import('playwright-core').Page} page */
async function readForm(page) {
  const value = (id) => page.getByTestId(id).inputValue();
  return {
    model: await value('model-select'),
    task: await value('task'),
    algorithm: await value('algorithm'),
    metric: await value('metric'),
    ablation: await value('ablation'),
    tau: Number(await value('tau')),
    seed: Number(await value('seed')),
    indices: await value('indices'),
    names: await value('names'),
  };
}

test('a copied link reproduces the same settings', { timeout: 180_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'copy-link');
  await page.getByTestId('tau').fill('0.2');
  await page.getByTestId('tau').press('Enter');
  await page.getByTestId('metric').selectOption('nll');
  await page.getByTestId('ablation').selectOption('zero');
  await page.getByTestId('seed').fill('7');
  await page.getByTestId('seed').press('Enter');
  await page.getByTestId('indices').selectOption('reverse');
  await page.getByTestId('names').selectOption('random');
  const chosen = await readForm(page);
  assert.deepEqual(
    { ...chosen, model: undefined },
    { model: undefined, task: 'induction', algorithm: 'acdc', metric: 'nll', ablation: 'zero', tau: 0.2, seed: 7, indices: 'reverse', names: 'random' },
  );
  // The address bar follows the form.
  const address = new URL(page.url());
  assert.equal(address.searchParams.get('tau'), '0.2');
  assert.equal(address.searchParams.get('seed'), '7');

  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('link').inputValue();
  const params = new URL(link).searchParams;
  for (const name of ['model', 'task', 'algorithm', 'tau', 'metric', 'ablation', 'seed', 'indices', 'names']) {
    assert.ok(params.has(name), `the link has ${name}: ${link}`);
  }
  await page.close();

  const reopened = await openPage(session.browser.context, link, 'copy-link-reopened');
  assert.deepEqual(await readForm(reopened), chosen);
  assert.equal(await reopened.getByTestId('backend').getAttribute('data-backend'), 'cpu', 'the backend choice travels too');
  await reopened.close();
});
