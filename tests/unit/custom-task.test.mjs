// A person's own task as the editor, the URL and localStorage hold it
// (www/src/state/custom-task.ts): rows of text and back, the scored positions,
// and anything malformed read as nothing rather than half a task.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';

let c;
before(async () => {
  c = await importSrc('state/custom-task.ts');
});

const TEXT = 'cat dog sun | cat dog moon | dog | sun\n\n  fish bird | fish king|bird|lion owl  \nrain snow | rain road';

test('rows are read one per line, fields split at |, blank lines skipped', () => {
  assert.deepEqual(c.parseRows(TEXT), [
    { clean: 'cat dog sun', corrupt: 'cat dog moon', correct: 'dog', wrong: 'sun' },
    { clean: 'fish bird', corrupt: 'fish king', correct: 'bird', wrong: 'lion owl' },
    { clean: 'rain snow', corrupt: 'rain road', correct: '', wrong: '' },
  ]);
  assert.deepEqual(c.parseRows('only a clean prompt'), [{ clean: 'only a clean prompt', corrupt: '', correct: '', wrong: '' }]);
  assert.deepEqual(c.parseRows('a | b | c | d | e'), [{ clean: 'a', corrupt: 'b', correct: 'c', wrong: 'd e' }], 'extra fields are more wrong answers');
});

test('rows written back read the same', () => {
  const rows = c.parseRows(TEXT);
  const text = c.rowsText(rows);
  assert.equal(text, 'cat dog sun | cat dog moon | dog | sun\nfish bird | fish king | bird | lion owl\nrain snow | rain road');
  assert.deepEqual(c.parseRows(text), rows);
});

test('scored positions: last, all, or a list', () => {
  assert.deepEqual(c.parseScored(''), { kind: 'last' });
  assert.deepEqual(c.parseScored(' LAST '), { kind: 'last' });
  assert.deepEqual(c.parseScored('all'), { kind: 'all' });
  assert.deepEqual(c.parseScored('5, 2 5,3'), { kind: 'positions', at: [2, 3, 5] });
  for (const bad of ['-1', '1.5', 'first', '2,x']) assert.equal(c.parseScored(bad), null, bad);
  for (const scored of [{ kind: 'last' }, { kind: 'all' }, { kind: 'positions', at: [1, 4] }]) {
    assert.deepEqual(c.parseScored(c.scoredText(scored)), scored);
  }
});

test('the URL holds the task as its text and its positions', () => {
  const task = { rows: c.parseRows(TEXT), scored: { kind: 'positions', at: [1, 2] } };
  const params = new URLSearchParams(c.customQuery(task));
  assert.equal(params.get('scored'), '1,2');
  assert.deepEqual(c.parseCustomQuery((name) => params.get(name)), task);
  assert.equal(c.parseCustomQuery(() => null), null);
  assert.equal(c.parseCustomQuery((name) => (name === 'prompts' ? '  \n ' : null)), null);
  const unreadable = c.parseCustomQuery((name) => (name === 'prompts' ? 'a | b' : 'sideways'));
  assert.deepEqual(unreadable.scored, { kind: 'last' }, 'unreadable positions fall back to the last');
});

test('a stored task reads back; anything else is no task', () => {
  const task = { rows: c.parseRows(TEXT), scored: { kind: 'all' } };
  assert.deepEqual(c.parseStoredTask(JSON.stringify(task)), task);
  for (const bad of [null, '', '{', '42', '{"rows": 3}', '{"rows": []}']) assert.equal(c.parseStoredTask(bad), null, String(bad));
  assert.deepEqual(c.parseStoredTask('{"rows": [{"clean": "a", "corrupt": 7}]}'), {
    rows: [{ clean: 'a', corrupt: '', correct: '', wrong: '' }],
    scored: { kind: 'last' },
  });
  assert.ok(c.sameTask(task, JSON.parse(JSON.stringify(task))));
  assert.ok(!c.sameTask(task, c.EXAMPLE_TASK));
});

test('the task picker lists it with the defaults the crate gives rows of no task', () => {
  assert.equal(c.CUSTOM_TASK_INFO.name, c.CUSTOM_TASK);
  assert.equal(c.CUSTOM_TASK_INFO.defaultMetric, 'kl');
  assert.equal(c.CUSTOM_TASK_INFO.defaultTau, 0.05);
  assert.equal(c.CUSTOM_TASK_INFO.defaultAblation, 'resample');
});
