// Lesson 4, "ACDC and τ": a baseline run, a prediction about a smaller τ, a
// sweep and its knee (faithfulness from the CLI), walked right and wrong.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageSession } from './harness.mjs';
import { ORACLES } from './lesson-oracles.mjs';
import { walkRightThenWrong } from './lessons.mjs';

const ID = 'acdc-and-tau';
let oracle;
const session = pageSession({
  async setup() {
    oracle = await ORACLES[ID]();
  },
});

test('walked right and wrong; the sweep is plotted', { timeout: 2_400_000 }, async () => {
  await walkRightThenWrong(session, ID, () => oracle, {
    prefix: 'lesson-tau',
    afterRight: async (page) => {
      await page.getByTestId('lesson-back').click();
      await page.waitForSelector('[data-testid="lesson"][data-step="2"][data-setup="done"]');
      const plot = page.getByTestId('sweep-plot').first();
      await plot.waitFor();
      assert.equal(Number(await plot.getAttribute('data-points')), oracle.points.length, 'one point per τ run');
    },
  });
});
