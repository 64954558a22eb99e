// What a person can type into the page's address bar or a lesson file,
// mutated at random from good examples: the settings and page options read
// from any query string are valid or absent (never a throw, never NaN), a
// person's own task from the URL or storage is a task or nothing, and any
// lesson text parses into a lesson or errors that name a line inside the file.
// Seeded (a failure names its case); FUZZ_CASES sets the count (default 300;
// 20 000 by hand, docs/robustness.md).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importSrc } from './load-ts.mjs';
import { mulberry32 } from './rng.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CASES = Number(process.env.FUZZ_CASES ?? 300);

const NASTY = ['', '-1', '0', '1e308', '-1e-320', 'NaN', 'Infinity', '0x10', ' 0.05 ', '%', '%zz', '\u0000', '🙂', 'a'.repeat(5000), '[]', '{}', 'null', 'true', '1,2', '../../etc'];

/** `text` with a few random edits: characters replaced, cut, duplicated, or a nasty value spliced in. */
function mutate(text, next) {
  let s = text;
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (s.length + 1));
    switch (Math.floor(next() * 5)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1 + Math.floor(next() * 20));
        break;
      case 1:
        s = s.slice(0, at) + NASTY[Math.floor(next() * NASTY.length)] + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(Math.max(0, at - 40), at) + s.slice(at);
        break;
      case 3:
        s = s.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x3000)) + s.slice(at + 1);
        break;
      default:
        s = s.slice(0, at) + '\n' + s.slice(at);
    }
  }
  return s;
}

let S;
let U;
let E;
let C;
let L;
before(async () => {
  [S, U, E, C, L] = await Promise.all([
    importSrc('state/settings.ts'),
    importSrc('state/url-state.ts'),
    importSrc('state/element-options.ts'),
    importSrc('state/custom-task.ts'),
    importSrc('lessons/index.ts'),
  ]);
});

const QUERIES = [
  'model=induction-2l&task=induction&algorithm=acdc&metric=kl&ablation=resample&tau=0.05&seed=0&indices=normal&names=normal&steps=5',
  'model=ioi&algorithm=eap-ig&steps=12&metric=logit_diff&tau=0.1&backend=webgpu&speed=max&autorun=1&embed=1&show=settings stats',
  'task=custom&prompts=When Mary and John went%0AWhen John and Mary went&scored=last&lesson=ioi',
];

test('any query string gives valid settings and page options, or none', () => {
  const next = mulberry32(1);
  for (let c = 0; c < CASES; c++) {
    const query = mutate(QUERIES[c % QUERIES.length], next);
    let params;
    try {
      params = new URLSearchParams(query);
    } catch {
      continue;
    }
    const get = (name) => params.get(name);
    const where = `case ${c}: ?${query.slice(0, 200)}`;
    const settings = S.parseSettings(get);
    for (const [key, value] of Object.entries(settings)) {
      assert.notEqual(value, undefined, `${where}: ${key}`);
      if (typeof value === 'number') assert.ok(Number.isFinite(value), `${where}: ${key} = ${value}`);
    }
    if (settings.tau !== undefined) assert.ok(settings.tau > 0, `${where}: tau ${settings.tau}`);
    if (settings.seed !== undefined) assert.ok(Number.isSafeInteger(settings.seed) && settings.seed >= 0, `${where}: seed ${settings.seed}`);
    if (settings.steps !== undefined) assert.ok(Number.isInteger(settings.steps) && settings.steps >= 1, `${where}: steps ${settings.steps}`);
    assert.ok(['auto', 'webgpu', 'cpu'].includes(U.parseBackend(get('backend'))), where);
    const speed = U.parseSpeed(get('speed'));
    assert.ok(speed === null || speed === 'max' || (Number.isInteger(speed) && speed > 0), `${where}: speed ${speed}`);
    const threads = U.parseThreads(get('threads'));
    assert.ok(threads === null || (Number.isInteger(threads) && threads >= 1 && threads <= U.MAX_THREADS), `${where}: threads ${threads}`);
    assert.equal(typeof U.parseFlag(get('autorun')), 'boolean', where);
    for (const part of E.parseShow(get('show'))) assert.ok(E.SHOW_PARTS.includes(part), `${where}: show ${part}`);
    const task = C.parseCustomQuery(get);
    if (task !== null) assert.equal(typeof task, 'object', where);
    const stored = C.parseStoredTask(query);
    if (stored !== null) assert.equal(typeof stored, 'object', where);
  }
});

test('?threads= is a whole count from 1 to MAX_THREADS, else the default', () => {
  assert.equal(U.parseThreads('2'), 2);
  assert.equal(U.parseThreads('1'), 1);
  assert.equal(U.parseThreads(String(U.MAX_THREADS)), U.MAX_THREADS);
  for (const bad of [null, '', '0', '-2', '1.5', 'two', String(U.MAX_THREADS + 1)]) assert.equal(U.parseThreads(bad), null, String(bad));
});

test('any lesson text parses into a lesson or errors at a line of the file', () => {
  const dir = join(ROOT, 'www/lessons');
  const seeds = readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'FORMAT.md')
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  assert.ok(seeds.length >= 7, 'the shipped lessons');
  const next = mulberry32(2);
  for (let c = 0; c < CASES; c++) {
    const text = mutate(seeds[c % seeds.length], next);
    const lines = text.split(/\r?\n/).length;
    const { lesson, errors } = L.parseLesson(text, `fuzz-${c}`);
    assert.ok(lesson !== undefined && Array.isArray(lesson.steps), `case ${c}: a lesson`);
    for (const e of errors) {
      assert.ok(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines + 1, `case ${c}: error line ${e.line} of ${lines}: ${e.message}`);
      assert.ok(typeof e.message === 'string' && e.message.length > 0, `case ${c}: a message`);
    }
  }
});
