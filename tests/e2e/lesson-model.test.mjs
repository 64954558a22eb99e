// Lesson 1, "What the model does", walked twice as a student: right on a
// desktop (answers from the CLI and the wasm module in node, never from the
// page), then wrong on a 390-px phone in a fresh profile, where every
// feedback must say why with the evidence. The answers export is then checked
// field by field, and Start over clears the progress.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { launchBrowser, openPage, pageSession } from './harness.mjs';
import { ORACLES } from './lesson-oracles.mjs';
import { PHONE, walkLesson } from './lessons.mjs';

const ID = 'what-the-model-does';
let oracle;
const session = pageSession({
  async setup() {
    oracle = await ORACLES[ID]();
  },
});

test('answered right on a desktop, with an export a teacher can grade', { timeout: 900_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&lesson=${ID}`, 'lesson-model-right');
  const results = await walkLesson(page, { id: ID, oracle, mode: 'right', shots: 'lesson-model-right' });
  assert.equal(results.length, 7);
  assert.match(await page.getByTestId('lesson-score').innerText(), /7 of 7/);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lesson-export').click()]);
  assert.equal(download.suggestedFilename(), `${ID}-answers.json`);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.format, 'circuitscope-lesson-answers');
  assert.equal(exported.version, 1);
  assert.deepEqual(exported.lesson, { id: ID, title: 'What the model does' });
  assert.ok(!Number.isNaN(Date.parse(exported.exported)), 'exported is a date');
  assert.equal(exported.completed, true);
  assert.deepEqual(exported.score, { correct: 7, total: 7 });
  assert.deepEqual(exported.answers.map((a) => a.question), ['predict', 'tokens', 'probability', 'attention', 'causal', 'read', 'lens']);
  for (const [i, a] of exported.answers.entries()) {
    const given = results[i];
    assert.equal(a.step, a.question, 'a question is named after its step');
    assert.equal(a.kind, given.kind);
    assert.ok(a.prompt.length > 10, 'the question as asked');
    assert.deepEqual(a.answer, given.answer, `${a.question}: the answer given`);
    assert.equal(a.correct, true);
    assert.deepEqual(a.expected, given.expected, `${a.question}: what the page computed`);
    assert.deepEqual(a.attempts, [{ answer: given.answer, correct: true }]);
    assert.equal(a.model, 'induction-2l');
    assert.deepEqual(
      { task: a.settings.task, tau: a.settings.tau, metric: a.settings.metric, ablation: a.settings.ablation, seed: a.settings.seed },
      { task: 'induction', tau: 0.05, metric: 'kl', ablation: 'resample', seed: 0 },
    );
    assert.equal(a.circuitHash, null, 'no run in this lesson');
  }

  // Progress survives a reload: the lesson reopens at its end, done.
  await page.reload();
  await page.waitForSelector('[data-testid="lesson"][data-step="end"]', { timeout: 120_000 });
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('lesson-reset').click();
  await page.waitForSelector('[data-testid="lesson"][data-step="0"][data-setup="done"]', { timeout: 120_000 });
  assert.equal(await page.getByTestId('notice').innerText(), '', 'nothing answered after Start over');
  await page.close();
});

test('answered wrong on a phone, each feedback explains with evidence', { timeout: 900_000 }, async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    await page.goto(`${session.server.url}?backend=cpu&lesson=${ID}`);
    const results = await walkLesson(page, { id: ID, oracle, mode: 'wrong', shots: 'lesson-model-wrong-phone' });
    for (const r of results) {
      assert.match(r.text, /Not quite/);
      assert.match(r.text, /right answer is|model's value is|Any of these/, `${r.question} says what is right`);
    }
    assert.match(await page.getByTestId('lesson-score').innerText(), /0 of 7/);
    // The page is readable at 390 px: nothing wider than the screen but what scrolls inside its box.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
    await page.close();
  } finally {
    await browser.close();
  }
});
