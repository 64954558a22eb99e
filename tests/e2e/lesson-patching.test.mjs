// Lesson 3, "What an edge is, and what patching it means": ACDC stepped one
// edge at a time, and one edge under three ablations, walked right and wrong.

import { test } from 'node:test';
import { pageSession } from './harness.mjs';
import { ORACLES } from './lesson-oracles.mjs';
import { walkRightThenWrong } from './lessons.mjs';

const ID = 'edges-and-patching';
let oracle;
const session = pageSession({
  async setup() {
    oracle = await ORACLES[ID]();
  },
});

test('walked right and wrong', { timeout: 1_800_000 }, async () => {
  await walkRightThenWrong(session, ID, () => oracle, { prefix: 'lesson-patching' });
});
