// Lesson 6, "Ground truth": a RASP program compiled in the page, ACDC's TPR
// and FPR against it, then the program changed, compiled and run again
// (the CLI compiles the same change for the oracle); walked right and wrong.

import { test } from 'node:test';
import { pageSession } from './harness.mjs';
import { ORACLES } from './lesson-oracles.mjs';
import { walkRightThenWrong } from './lessons.mjs';

const ID = 'ground-truth';
let oracle;
const session = pageSession({
  async setup() {
    oracle = await ORACLES[ID]();
  },
});

test('walked right and wrong', { timeout: 1_800_000 }, async () => {
  await walkRightThenWrong(session, ID, () => oracle, { prefix: 'lesson-truth' });
});
