// A teacher's lessons: written only in Markdown by this test, in a folder of
// its own (CIRCUITSCOPE_LESSONS_DIR), never shipped. The lesson is listed in
// the menu and /lessons/index.json, opens from the menu and runs to its end;
// a broken one reports each mistake at its line; one opened from disk runs
// too; a lesson whose algorithms the page does not offer yet is not listed.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliPredict, openPage, pageSession, screenshot } from './harness.mjs';
import { walkLesson } from './lessons.mjs';

const MINE = `---
title: My first lesson
level: beginner
minutes: 3
order: 50
summary: Written by a teacher, dropped into a folder.
---

## What comes next {#next}

\`\`\`setup
model: induction-2l
task: induction
seed: 0
prompt: owl cat owl
\`\`\`

\`\`\`question
kind: choice
prompt: After "owl cat owl", which word does the model put first?
options: = top-tokens 3
answer: top-token
predict: yes
needs: prediction
explain: It says {{top-token}}, with probability {{top-prob}}.
\`\`\`

## Counting {#count}

\`\`\`question
kind: number
prompt: How many tokens, \`<bos>\` included?
answer: token-count
tolerance: 0
\`\`\`
`;

const BROKEN = `---
title: A broken lesson
level: beginner
minutes: 2
---

## One

\`\`\`setup
model: induction-3l
\`\`\`

## Two

\`\`\`setup
model: induction-2l
head: A4.1
\`\`\`

\`\`\`question
kind: number
prompt: Which?
answer: top-scor
tolerance: 1
\`\`\`
`;

const dir = mkdtempSync(join(tmpdir(), 'circuitscope-lessons-'));
writeFileSync(join(dir, 'my-first-lesson.md'), MINE);
writeFileSync(join(dir, 'broken-lesson.md'), BROKEN);
// A method the page does not offer: listed nowhere, and ?lesson= says what it waits for.
writeFileSync(join(dir, 'needs-sae.md'), MINE.replace('title: My first lesson', 'title: Sparse features').replace('order: 50', 'order: 51\nrequires: algorithms sae'));
// The page's server reads it when it starts (www/vite.config.ts).
process.env.CIRCUITSCOPE_LESSONS_DIR = dir;
const session = pageSession({ teardown: () => rmSync(dir, { recursive: true, force: true }) });

function oracle() {
  const p = cliPredict('induction-2l', 'owl cat owl');
  if (!p.ok) throw new Error(p.message);
  return { next: p.prediction.top[0].token, count: p.prediction.tokens.length };
}

test('a lesson dropped into the folder is listed and runs to its end', { timeout: 600_000 }, async () => {
  const index = await (await fetch(new URL('lessons/index.json', session.server.url))).json();
  const ids = index.map((e) => e.id);
  for (const id of ['what-the-model-does', 'induction-heads', 'edges-and-patching', 'acdc-and-tau', 'ioi', 'ground-truth', 'attribution-vs-patching', 'my-first-lesson']) {
    assert.ok(ids.includes(id), `${id} in /lessons/index.json`);
  }
  const mine = index.find((e) => e.id === 'my-first-lesson');
  assert.deepEqual({ title: mine.title, level: mine.level, minutes: mine.minutes, errors: mine.errors }, { title: 'My first lesson', level: 'beginner', minutes: 3, errors: [] });

  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'lessons-authoring');
  await page.getByTestId('lessons-button').click();
  const listed = await page.$$eval('[data-testid="lessons-list"] [data-lesson]', (b) => b.map((x) => x.getAttribute('data-lesson')));
  assert.ok(listed.includes('my-first-lesson'), 'listed in the menu');
  assert.ok(!listed.includes('needs-sae'), 'a lesson whose method the page does not offer is not listed');
  assert.ok(listed.includes('attribution-vs-patching'), 'the attribution lesson is listed: the picker offers exact, EAP and EAP-IG');
  assert.deepEqual(listed.slice(0, 6), ['what-the-model-does', 'induction-heads', 'edges-and-patching', 'acdc-and-tau', 'ioi', 'ground-truth'], 'in order');
  await screenshot(page, 'lessons-menu');
  await page.locator('[data-lesson="my-first-lesson"]').click();
  await page.waitForURL(/[?&]lesson=my-first-lesson/, { timeout: 60_000 }); // the URL names the lesson once it is open
  const results = await walkLesson(page, { id: 'my-first-lesson', oracle: oracle(), mode: 'right', shots: 'lessons-authoring' });
  assert.deepEqual(results.map((r) => r.correct), [true, true]);
  await page.close();
});

test('a broken lesson reports each mistake at its line', { timeout: 300_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu&lesson=broken-lesson`, 'lessons-broken');
  const errors = page.getByTestId('lesson-errors');
  await errors.waitFor({ timeout: 120_000 });
  const lines = await page.$$eval('[data-testid="lesson-errors"] li', (items) => items.map((i) => [Number(i.getAttribute('data-line')), i.textContent]));
  const at = (line, pattern) => assert.ok(lines.some(([l, t]) => l === line && pattern.test(t ?? '')), `line ${line} ${pattern}: ${JSON.stringify(lines)}`);
  at(10, /unknown model "induction-3l"/);
  at(17, /there is no head A4\.1/);
  at(23, /unknown measure "top-scor"/);
  assert.match(await errors.innerText(), /broken-lesson\.md has 3 mistakes/);
  await screenshot(page, 'lessons-broken');
  await page.close();
});

test('a lesson opened from disk runs; one the page cannot run yet says why', { timeout: 600_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'lessons-file');
  await page.getByTestId('lessons-button').click();
  await page.getByTestId('lesson-file').setInputFiles({ name: 'from-disk.md', mimeType: 'text/markdown', buffer: Buffer.from(MINE) });
  await page.waitForSelector('[data-testid="lesson"][data-lesson="from-disk"][data-step="0"][data-setup="done"]', { timeout: 120_000 });
  assert.equal(await page.getByTestId('lesson-title').innerText(), 'My first lesson');
  await page.goto(`${session.server.url}?backend=cpu&lesson=needs-sae`);
  const message = page.getByTestId('lesson-message');
  await message.waitFor({ timeout: 120_000 });
  assert.match(await message.innerText(), /needs the page to offer sae/);
  await page.close();
});

test('keyboard only: open a lesson from the menu, answer, check, go on', { timeout: 600_000 }, async () => {
  const { next, count } = oracle();
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'lessons-keyboard');
  await page.evaluate(() => localStorage.clear()); // the first test finished this lesson in this profile
  // Tab to the Lessons menu, open it, Tab to a lesson and open it.
  await page.getByTestId('lessons-button').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-lesson="my-first-lesson"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="lesson"][data-step="0"][data-setup="done"]', { timeout: 120_000 });
  assert.equal(await page.evaluate(() => document.querySelector('circuit-playground')?.shadowRoot?.activeElement?.getAttribute('data-testid')), 'step-title', 'focus moves to the step');
  // What a screen reader gets: a named region, the step's heading, a group of radio buttons named by the question.
  const tree = await page.getByTestId('lesson').ariaSnapshot();
  assert.match(tree, /heading "Step 1 of 2: What comes next"/);
  // (The snapshot escapes the quotes inside a name.)
  assert.match(tree, /group "After \\?"owl cat owl\\?", which word does the model put first\?"/);
  assert.match(tree, /radio "[^"]+"/);
  await page.locator(`[data-testid="answer-option"][value="${next}"]`).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Enter'); // submits the form: locks the prediction in
  await page.getByTestId('prompt').focus();
  await page.keyboard.press('Enter'); // Predict
  await page.waitForSelector('[data-testid="feedback"][data-correct="true"]', { timeout: 120_000 });
  await page.getByTestId('lesson-next').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid="lesson"][data-step="1"][data-setup="done"]', { timeout: 120_000 });
  await page.getByTestId('answer-number').focus();
  await page.keyboard.type(String(count));
  await page.keyboard.press('Enter'); // Check
  await page.waitForSelector('[data-testid="feedback"][data-correct="true"]', { timeout: 120_000 });
  await page.close();
});
