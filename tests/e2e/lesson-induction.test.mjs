// Lesson 2, "Induction heads by hand", walked right (heads picked on the
// graph itself) and wrong; the answers export carries the hash of the
// circuit the page's run found, which must be the CLI's circuit's.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageSession } from './harness.mjs';
import { ORACLES } from './lesson-oracles.mjs';
import { circuitHashOf, exportAnswers, walkRightThenWrong } from './lessons.mjs';

const ID = 'induction-heads';
let oracle;
const session = pageSession({
  async setup() {
    oracle = await ORACLES[ID]();
  },
});

test('walked right and wrong; the export hashes the same circuit as the CLI', { timeout: 1_800_000 }, async () => {
  await walkRightThenWrong(session, ID, () => oracle, {
    prefix: 'lesson-induction',
    viaGraph: true,
    afterRight: async (page) => {
      const { name, data } = await exportAnswers(page);
      assert.equal(name, `${ID}-answers.json`);
      assert.deepEqual(data.score, { correct: 4, total: 4 });
      const circuit = data.answers.find((a) => a.question === 'circuit');
      assert.equal(circuit.circuitHash, await circuitHashOf(oracle.circuitJson), 'the same seeds, the same circuit');
      assert.equal(circuit.settings.tau, 0.05);
      for (const a of data.answers.filter((x) => x.question !== 'circuit')) assert.equal(a.circuitHash, null, `${a.question}: no finished run then`);
    },
  });
});
