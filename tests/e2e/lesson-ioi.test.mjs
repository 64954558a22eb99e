// Lesson 5, "Indirect object identification", on the shipped ioi model:
// heads found from attention, from what they write to the logits and by
// ACDC, held against Wang et al.'s GPT-2 circuit; walked right and wrong.

import { test } from 'node:test';
import { pageSession } from './harness.mjs';
import { ORACLES } from './lesson-oracles.mjs';
import { walkRightThenWrong } from './lessons.mjs';

const ID = 'ioi';
let oracle;
const session = pageSession({
  async setup() {
    oracle = await ORACLES[ID]();
  },
});

test('walked right and wrong', { timeout: 2_400_000 }, async () => {
  await walkRightThenWrong(session, ID, () => oracle, { prefix: 'lesson-ioi' });
});
