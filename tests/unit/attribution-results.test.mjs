// What the page computes beside the crate for attribution runs
// (www/src/state/attribution-results.ts), held to the crate where both say
// something: CPR and CMD of the curve `JudgeRun.pointAt` gives equal the
// crate's areas; the size the slider asks for is exactly the budget the crate
// cuts; typed sizes, the log slider, the overlap of two circuits, the
// ranking, and what the KL+EAP warning offers.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';
import { loadModel, wasm } from './wasm.mjs';

const CLI = process.env.CIRCUITSCOPE_BIN ?? `${process.env.CARGO_TARGET_DIR ?? '/root/.cache/circuitscope/target'}/debug/circuitscope`;

let r;
let pkg;
let session;
let graph;
/** EAP-IG's scores per graph edge on induction-2l's induction rows, and the judge of those rows. */
let scores;
let judge;
const SETTINGS = { task: 'induction', algorithm: 'eap-ig', tau: null, metric: null, ablation: null, indicesMode: 'normal', namesMode: 'normal', absValueThreshold: false, seed: 0, rows: null, steps: 5 };

before(async () => {
  r = await importSrc('state/attribution-results.ts');
  pkg = await wasm();
  session = await loadModel('induction-2l');
  graph = session.graph();
  const run = await pkg.AttributionRun.start(session, SETTINGS, undefined);
  for (let p = await run.step(1); !p.done; p = await run.step(1));
  scores = run.perEdge();
  judge = await pkg.JudgeRun.start(session, SETTINGS, undefined);
});

const FRACTIONS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0];

test('CPR and CMD of the judged curve are the crate’s areas (circuitscope faithfulness)', async () => {
  const points = [];
  for (const f of FRACTIONS) points.push((await judge.pointAt(scores, f)).point);
  const { cpr, cmd } = r.areas([...points].reverse());
  assert.ok(cpr > 0.5 && cpr < 1, `CPR ${cpr}`);
  // The same trapezoids as crate/src/evaluate/mod.rs `area`, by hand on two points.
  assert.deepEqual(r.areas([{ fraction: 0, f: 0 }, { fraction: 1, f: 1 }]), { cpr: 0.5, cmd: 0.5 });
  assert.deepEqual(r.areas([{ fraction: 0.5, f: 2 }, { fraction: 1, f: 2 }]), { cpr: 1, cmd: 0.5 });
  if (!existsSync(CLI)) return;
  const temp = mkdtempSync(join(tmpdir(), 'circuitscope-unit-'));
  const file = join(temp, 'scores.json');
  writeFileSync(file, JSON.stringify(await scoresFile()));
  const out = spawnSync(CLI, ['faithfulness', '--model', 'models/induction-2l', '--task', 'induction', '--scores', file], {
    cwd: new URL('../..', import.meta.url).pathname,
    encoding: 'utf8',
  });
  rmSync(temp, { recursive: true, force: true });
  assert.equal(out.status, 0, out.stderr);
  const cli = JSON.parse(out.stdout);
  assert.ok(Math.abs(cpr - cli.cpr) < 1e-4 * Math.abs(cli.cpr) + 1e-6, `CPR page ${cpr}, CLI ${cli.cpr}`);
  assert.ok(Math.abs(cmd - cli.cmd) < 1e-4 * Math.abs(cli.cmd) + 1e-6, `CMD page ${cmd}, CLI ${cli.cmd}`);
});

/** scores.json of the same run, as the CLI reads it. */
async function scoresFile() {
  const run = await pkg.AttributionRun.start(session, SETTINGS, undefined);
  for (let p = await run.step(5); !p.done; p = await run.step(5));
  return run.scores(0);
}

test('every size the slider asks for is exactly the budget the crate cuts', async () => {
  const total = r.additionEdges(graph);
  assert.equal(total, 257);
  // The small sizes one by one (where a slider step is one edge), then a spread up to all of them.
  const sizes = [...Array.from({ length: 41 }, (_, n) => n), 51, 77, 100, 128, 199, 256, 257];
  for (const n of sizes) {
    const { point } = await judge.pointAt(scores, r.fractionOf(n, total));
    assert.equal(point.n, n, `size ${n}`);
  }
});

test('sizes: typed as a count or a percentage, and the log slider reaches every size', () => {
  assert.equal(r.parseSize('25', 257), 25);
  assert.equal(r.parseSize(' 10% ', 257), 25);
  assert.equal(r.parseSize('0.5 %', 257), 1);
  assert.equal(r.parseSize('100%', 257), 257);
  for (const bad of ['', '258', '101%', '-3', '2.5', 'ten', '%']) assert.equal(r.parseSize(bad, 257), null, bad);
  assert.equal(r.sizeAt(0, 257), 0);
  assert.equal(r.sizeAt(1, 257), 257);
  for (let n = 0; n <= 300; n++) assert.equal(r.sizeAt(r.positionOf(n, 300), 300), n);
});

test('the ranking: by |score|, ties in graph order, unscored edges left out', () => {
  const s = Float64Array.from([0.1, Number.NaN, -0.3, 0.1, 0.2]);
  assert.deepEqual(r.ranked(s), [2, 4, 0, 3]);
  assert.equal(r.maxAbs(s), 0.3);
  const ranked = r.ranked(scores);
  assert.equal(ranked.length, 257, 'every ADDITION edge is scored');
  for (const id of ranked) assert.equal(graph.edges[id].type, 'addition');
});

test('two circuits: both, each alone and their Jaccard, over ADDITION edges', async () => {
  const a = (await judge.pointAt(scores, 0.2)).kept;
  const b = (await judge.pointAt(scores, 0.1)).kept;
  const o = r.overlap(graph, Uint8Array.from(a), Uint8Array.from(b));
  const count = (k) => graph.edges.filter((e) => e.type === 'addition' && k[e.id] === 1).length;
  assert.equal(o.onlyOther, 0, 'the smaller cut of the same scores lies inside the larger');
  assert.equal(o.both, count(b));
  assert.equal(o.both + o.onlyShown, count(a));
  assert.equal(o.jaccard, count(b) / count(a));
  assert.deepEqual(r.overlap(graph, new Uint8Array(graph.edges.length), new Uint8Array(graph.edges.length)).jaccard, 1);
});

test('the KL+EAP warning offers the task metric only where the data has answers', () => {
  const base = { model: 'm', task: 'ioi', algorithm: 'eap', metric: 'kl', ablation: 'resample', tau: 0.1, seed: 0, indicesMode: 'normal', namesMode: 'normal', steps: 5, rows: null };
  const ioi = { name: 'ioi', defaultMetric: 'logit_diff', defaultTau: 0.1, defaultAblation: 'resample', defaultRows: 50, explanation: '' };
  const induction = { ...ioi, name: 'induction', defaultMetric: 'kl' };
  const rows = (correct) => ({ rows: [{ clean: 'a', corrupt: 'b', correct, wrong: 'c' }], scored: { kind: 'last' } });
  assert.equal(r.taskMetric(base, ioi, rows('')), 'logit_diff');
  assert.equal(r.taskMetric({ ...base, task: 'induction' }, induction, rows('')), null);
  assert.equal(r.taskMetric({ ...base, task: 'custom' }, undefined, rows('x')), 'logit_diff');
  assert.equal(r.taskMetric({ ...base, task: 'custom' }, undefined, rows('')), null);
  assert.ok(r.gradientFree('kl') && r.gradientFree('l2') && !r.gradientFree('logit_diff'));
  assert.notEqual(r.dataKey(base, null), r.dataKey({ ...base, metric: 'logit_diff' }, null));
  assert.equal(r.dataKey(base, null), r.dataKey({ ...base, algorithm: 'exact', tau: 1, steps: 9 }, null), 'the method is not the data');
  assert.notEqual(r.dataKey(base, null), r.dataKey({ ...base, rows: 10 }, null), 'fewer rows are other data');
});
