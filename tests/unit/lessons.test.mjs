// The lessons' format and checks (www/src/lessons/): every shipped lesson
// parses and is right about the page (its models, tasks, heads, edges and
// measures), every measure is documented in FORMAT.md, mistakes are reported
// with their line, and the arithmetic behind the checks (positions in a row,
// scores, the knee, grading, the circuit hash) is right.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';
import { wasm } from './wasm.mjs';

const LESSONS = new URL('../../www/lessons/', import.meta.url);
const MODELS = new URL('../../models/', import.meta.url);

let L;
let catalog;
before(async () => {
  L = await importSrc('lessons/index.ts');
  const { listTasks } = await wasm();
  const models = new Map();
  for (const id of readdirSync(MODELS)) {
    const config = new URL(`${id}/config.json`, MODELS);
    if (!existsSync(config)) continue;
    models.set(id, { config: JSON.parse(readFileSync(config, 'utf8')), program: existsSync(new URL(`${id}/program.rasp`, MODELS)) });
  }
  catalog = { models, tasks: listTasks().map((t) => t.name), algorithms: ['acdc', 'exact', 'eap', 'eap-ig'], current: null };
});

const shipped = () => readdirSync(LESSONS).filter((f) => f.endsWith('.md') && !/^[A-Z]/.test(f));

test('every shipped lesson parses and names only what the page has', () => {
  const files = shipped();
  assert.ok(files.length >= 7, `seven lessons at least: ${files.join(', ')}`);
  for (const file of files) {
    const { lesson, errors } = L.parseLesson(readFileSync(new URL(file, LESSONS), 'utf8'), file.slice(0, -3));
    assert.deepEqual(errors, [], `${file} parses`);
    assert.deepEqual(L.validateLesson(lesson, catalog), [], `${file} is right about the page`);
    assert.ok(lesson.steps.length >= 3, `${file} has steps`);
    for (const step of lesson.steps) assert.ok(step.question || step.text, `${file} ${step.id} says something`);
  }
});

test('the lessons come in the issue\'s order, and the attribution lesson waits for the picker', () => {
  const metas = shipped().map((f) => L.parseFrontMatter(readFileSync(new URL(f, LESSONS), 'utf8'), f.slice(0, -3)).meta);
  const order = metas.sort((a, b) => a.order - b.order).map((m) => m.id);
  assert.deepEqual(order, ['what-the-model-does', 'induction-heads', 'edges-and-patching', 'acdc-and-tau', 'ioi', 'ground-truth', 'attribution-vs-patching']);
  assert.deepEqual(metas.find((m) => m.id === 'attribution-vs-patching').requires, ['exact', 'eap', 'eap-ig']);
  // Today's page offers ACDC only: the lesson's algorithm is a mistake there, so it stays hidden.
  const text = readFileSync(new URL('attribution-vs-patching.md', LESSONS), 'utf8');
  const errors = L.validateLesson(L.parseLesson(text, 'attribution-vs-patching').lesson, { ...catalog, algorithms: ['acdc'] });
  assert.ok(errors.some((e) => /does not offer the algorithm "exact"/.test(e.message)));
});

test('every measure is documented in FORMAT.md', () => {
  const doc = readFileSync(new URL('FORMAT.md', LESSONS), 'utf8');
  for (const m of L.MEASURES) assert.match(doc, new RegExp(`\\| \`${m.name}[ \`]`), `${m.name} in FORMAT.md's table`);
});

const BROKEN = `---
title: Broken
level: beginner
minutes: 5
---

## One {#one}

\`\`\`setup
model: induction-3l
tau: fast
\`\`\`

## Two {#two}

\`\`\`setup
model: induction-2l
head: A5.3
\`\`\`

\`\`\`question
kind: heads
prompt: Which?
answer: kept-heads layer=7
\`\`\`

## Three {#three}

\`\`\`question
kind: number
prompt: How much?
answer: no-such-measure
\`\`\`

## Four {#four}

\`\`\`question
kind: number
prompt: Δ?
answer: delta "A1.0 -> A0.3 k"
tolerance: 0.1
needs: run done, head A9.9
\`\`\`

## Five {#five}

\`\`\`question
kind: edges
prompt: Which edge?
among: kept
answer: kept-count
\`\`\`
`;

test('a broken lesson reports each mistake at its line', () => {
  const { lesson, errors } = L.parseLesson(BROKEN, 'broken');
  const all = [...errors, ...L.validateLesson(lesson, catalog)].sort((a, b) => a.line - b.line);
  const at = (line, pattern) => assert.ok(all.some((e) => e.line === line && pattern.test(e.message)), `line ${line} ${pattern}: ${JSON.stringify(all)}`);
  at(10, /unknown model "induction-3l"/);
  at(11, /tau must be a number/);
  at(18, /there is no head A5\.3/);
  at(24, /there is no layer 7/);
  at(29, /a number question needs "tolerance:"/);
  at(32, /unknown measure "no-such-measure"/);
  at(40, /the sender must come before the receiver/);
  at(42, /there is no head A9\.9/);
  at(51, /kept-count gives a number, which cannot be the answer of an edges question/);
});

test('front matter mistakes and a missing step are reported', () => {
  const { errors } = L.parseLesson('---\ntitle: x\nlevel: expert\nminutes: soon\n---\n\nNo steps.\n', 'x');
  assert.ok(errors.some((e) => e.line === 3 && /level "expert"/.test(e.message)));
  assert.ok(errors.some((e) => e.line === 4 && /minutes must be a number/.test(e.message)));
  assert.ok(errors.some((e) => /no steps/.test(e.message)));
  assert.ok(L.parseLesson('# no front matter\n\n## a\n', 'y').errors.some((e) => e.line === 1 && /front matter/.test(e.message)));
});

test('settings carry over from step to step; a new model drops the prompt', () => {
  const text = `---\ntitle: t\nlevel: beginner\nminutes: 1\n---\n\n## a\n\n\`\`\`setup\nmodel: induction-2l\ntau: 0.1\nprompt: cat dog\n\`\`\`\n\n## b\n\n\`\`\`setup\nseed: 3\n\`\`\`\n\n## c\n\n\`\`\`setup\nmodel: ioi\n\`\`\`\n`;
  const { lesson, errors } = L.parseLesson(text, 't');
  assert.deepEqual(errors, []);
  const b = L.mergedSetup(lesson, 1);
  assert.equal(b.model.value, 'induction-2l');
  assert.equal(b.tau.value, 0.1);
  assert.equal(b.seed.value, 3);
  assert.equal(b.prompt.value, 'cat dog');
  const c = L.mergedSetup(lesson, 2);
  assert.equal(c.model.value, 'ioi');
  assert.equal(c.prompt, undefined);
});

test('edges and heads are checked against the model\'s shape', () => {
  const induction = L.shapeOfConfig(catalog.models.get('induction-2l').config);
  const ioi = L.shapeOfConfig(catalog.models.get('ioi').config);
  const reverse = L.shapeOfConfig(catalog.models.get('tracr-reverse').config);
  assert.equal(L.checkEdge(induction, 'A0.3 -> A1.2 k'), null);
  assert.equal(L.checkEdge(induction, 'embed -> A1.0 q'), null);
  assert.equal(L.checkEdge(induction, 'A1.0 -> logits'), null);
  assert.match(L.checkEdge(induction, 'A1.0 -> A0.3 k'), /before the receiver/);
  assert.match(L.checkEdge(induction, 'A0.1 -> MLP 1'), /no MLPs/);
  assert.match(L.checkEdge(induction, 'A0.1 -> A1.2'), /which input/);
  assert.equal(L.checkEdge(ioi, 'A0.1 -> MLP 0'), null);
  assert.equal(L.checkEdge(ioi, 'MLP 0 -> MLP 1'), null);
  assert.match(L.checkEdge(ioi, 'MLP 1 -> MLP 1'), /before the receiver/);
  assert.equal(L.checkEdge(reverse, 'tok -> A0.0 k'), null);
  assert.match(L.checkEdge(reverse, 'embed -> A0.0 k'), /"tok" and "pos"/);
  assert.match(L.checkHead(induction, 'A2.0'), /no head A2\.0/);
});

test('IOI roles, induction targets and mean attention', () => {
  const tokens = '<bos> When Mary and John went to the store , John gave a drink to'.split(' ');
  const ids = tokens.map((t) => [...new Set(tokens)].indexOf(t));
  const row = { ids, tokens, end: tokens.length - 1 };
  assert.deepEqual(L.ioiRoles(row), { S1: 4, S2: 10, IO: 2 });
  // BABA: the capitalised "When" is nearer to S1 than IO, but not S1's partner across "and".
  const baba = '<bos> When John and Mary went to the store , John gave a drink to'.split(' ');
  const babaIds = baba.map((t) => [...new Set(baba)].indexOf(t));
  assert.deepEqual(L.ioiRoles({ ids: babaIds, tokens: baba, end: baba.length - 1 }), { S1: 2, S2: 10, IO: 4 });
  assert.deepEqual(L.fromPositions(row, 'S2'), [10]);
  assert.deepEqual(L.fromPositions(row, 'END'), [14]);
  const rep = { ids: [0, 5, 6, 7, 5, 6], tokens: ['<bos>', 'a', 'b', 'c', 'a', 'b'], end: 5 };
  assert.equal(L.targetPosition(rep, 4, 'induction'), 2);
  assert.equal(L.targetPosition(rep, 5, 'induction'), 3);
  assert.equal(L.targetPosition(rep, 3, 'induction'), null);
  assert.equal(L.targetPosition(rep, 3, 'prev'), 2);
  assert.deepEqual(L.fromPositions(rep, 'repeat'), [4, 5]);
  const n = rep.ids.length;
  const prevHead = Array.from({ length: n }, (_, q) => Array.from({ length: n }, (_, k) => (q === 0 ? (k === 0 ? 1 : 0) : k === q - 1 ? 1 : 0)));
  assert.equal(L.meanAttention([{ row: rep, pattern: prevHead }], 'all', 'prev'), 1);
  assert.equal(L.meanAttention([{ row: rep, pattern: prevHead }], 'repeat', 'induction'), 0);
  assert.equal(L.futureAttention(prevHead), 0);
});

test('best heads, the knee and rank correlation', () => {
  assert.deepEqual(L.bestOf(new Map([['A0.0', 0.5], ['A0.1', 0.49], ['A0.2', 0.3]]), 0.02), ['A0.0', 'A0.1']);
  const sweep = [
    { tau: 0.3, kept: 10, f: 0.2 },
    { tau: 0.1, kept: 30, f: 0.85 },
    { tau: 0.03, kept: 60, f: 0.95 },
    { tau: 0.01, kept: 120, f: 1 },
  ];
  assert.equal(L.knee(sweep, 0.8).tau, 0.1);
  assert.equal(L.knee(sweep, 0.9).tau, 0.03);
  assert.equal(L.knee([], 0.8), null);
  assert.equal(L.rankCorrelation([1, 2, 3], [10, 20, 30]), 1);
  assert.equal(L.rankCorrelation([1, 2, 3], [3, 2, 1]), -1);
});

test('grading: numbers within tolerance, one of a set, exactly a set', () => {
  const q = (extra) => ({ kind: 'choice', select: 'one', ...extra });
  assert.equal(L.isRight(q({ kind: 'number', tolerance: { value: 0.05, relative: false } }), 0.52, 0.5), true);
  assert.equal(L.isRight(q({ kind: 'number', tolerance: { value: 0.05, relative: false } }), 0.56, 0.5), false);
  assert.equal(L.isRight(q({ kind: 'number', tolerance: { value: 0.1, relative: true } }), 2.15, 2), true);
  assert.equal(L.isRight(q({}), 'sun', 'sun'), true);
  assert.equal(L.isRight(q({}), 'dog', 'sun'), false);
  assert.equal(L.isRight(q({ kind: 'heads' }), ['A0.1'], ['A0.1', 'A0.6']), true);
  assert.equal(L.isRight(q({ kind: 'heads', select: 'all' }), ['A0.1'], ['A0.1', 'A0.6']), false);
  assert.equal(L.isRight(q({ kind: 'heads', select: 'all' }), ['A0.6', 'A0.1'], ['A0.1', 'A0.6']), true);
  assert.deepEqual(L.difference(['A0.1', 'A0.2'], ['A0.1', 'A0.6']), { missed: ['A0.6'], extra: ['A0.2'] });
});

test('the circuit hash is SHA-256', () => {
  for (const text of ['', 'abc', 'blocks.0.attn.hook_result[3] -> blocks.1.hook_k_input[2]\n'.repeat(40)]) {
    const bytes = new TextEncoder().encode(text);
    assert.equal(L.sha256Hex(bytes), createHash('sha256').update(bytes).digest('hex'), JSON.stringify(text.slice(0, 20)));
  }
});

test('graph edges get the names lessons write', async () => {
  const { Session } = await wasm();
  const file = (name) => readFileSync(new URL(`induction-2l/${name}`, MODELS));
  const session = Session.load(file('config.json').toString(), file('model.safetensors'), file('tokenizer.json').toString());
  const graph = session.graph();
  const names = L.edgeNames(graph);
  for (const name of ['A0.3 -> A1.2 k', 'embed -> A1.0 q', 'A1.0 -> logits', 'A1.2 q_in -> A1.2 q']) {
    assert.ok(L.edgeId(graph, name) >= 0, `${name} is an edge`);
  }
  assert.equal(names.filter((n) => n !== '').length, graph.counts.edges);
  assert.equal(new Set(names.filter((n) => n !== '')).size, graph.counts.edges, 'names are unique');
  session.free();
});
