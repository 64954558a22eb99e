// Lesson 7, "Attribution against patching", needs the algorithm picker to
// offer exact, EAP and EAP-IG. Until it does, the lesson is not listed and
// ?lesson= says what it waits for; once it does, it is walked right and wrong
// against the CLI's scores.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, pageSession } from './harness.mjs';
import { ORACLES } from './lesson-oracles.mjs';
import { walkRightThenWrong } from './lessons.mjs';

const ID = 'attribution-vs-patching';
const session = pageSession();

test('hidden until the page offers exact, EAP and EAP-IG; then walked right and wrong', { timeout: 2_400_000 }, async (t) => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'lesson-attribution-menu');
  const offered = await page.$$eval('[data-testid="algorithm"] option:not([disabled])', (o) => o.map((x) => x.getAttribute('value')));
  await page.getByTestId('lessons-button').click();
  const listed = await page.$$eval('[data-testid="lessons-list"] [data-lesson]', (b) => b.map((x) => x.getAttribute('data-lesson')));
  await page.close();
  const ready = ['exact', 'eap', 'eap-ig'].every((a) => offered.includes(a));
  assert.equal(listed.includes(ID), ready, `listed exactly when the picker offers them (it offers ${offered})`);
  if (!ready) return t.skip(`the algorithm picker offers ${offered.join(', ')}: the lesson stays hidden`);
  const oracle = await ORACLES[ID]();
  await walkRightThenWrong(session, ID, () => oracle, { prefix: 'lesson-attribution' });
});
