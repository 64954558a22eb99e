// The one serializable state (www/src/settings.ts): the URL reads back what
// it was written from, malformed inputs fall back to defaults, τ's log slider
// round-trips.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';

let s;
before(async () => {
  s = await importSrc('state/settings.ts');
});

const induction = { name: 'induction', defaultMetric: 'kl', defaultTau: 0.05, defaultRows: 40, explanation: '' };

test('settings survive a round trip through the query string', () => {
  const settings = {
    model: 'induction-2l',
    task: 'induction',
    algorithm: 'acdc',
    metric: 'logit_diff',
    ablation: 'zero',
    tau: 0.0123,
    seed: 7,
    indicesMode: 'reverse',
    namesMode: 'random',
    steps: 5,
    rows: 18,
  };
  const query = s.settingsQuery(settings);
  assert.equal(
    query.toString(),
    'model=induction-2l&task=induction&algorithm=acdc&metric=logit_diff&ablation=zero&tau=0.0123&seed=7&indices=reverse&names=random&steps=5&rows=18',
  );
  const back = s.parseSettings((name) => query.get(name));
  assert.deepEqual(back, settings);
  assert.deepEqual(s.completeSettings(back, 'induction-2l', induction), settings);
  // The task's own rows (null) stay out of the query, and come back as null.
  const own = { ...settings, rows: null };
  const ownQuery = s.settingsQuery(own);
  assert.equal(ownQuery.has('rows'), false);
  assert.deepEqual(s.completeSettings(s.parseSettings((name) => ownQuery.get(name)), 'induction-2l', induction), own);
});

test('missing and malformed inputs take the task defaults', () => {
  const query = new URLSearchParams('tau=-1&seed=1.5&metric=accuracy&ablation=average&indices=sideways&algorithm=sgd&steps=0&rows=0');
  const partial = s.parseSettings((name) => query.get(name));
  assert.deepEqual(partial, {});
  assert.deepEqual(s.completeSettings(partial, 'm', induction), {
    model: 'm',
    task: 'induction',
    algorithm: 'acdc',
    metric: 'kl',
    ablation: 'resample',
    tau: 0.05,
    seed: 0,
    indicesMode: 'normal',
    namesMode: 'normal',
    steps: 5,
    rows: null,
  });
  for (const steps of ['0', '2.5', '101', '-3', 'five']) {
    assert.equal(s.parseSettings((name) => (name === 'steps' ? steps : null)).steps, undefined, `steps=${steps}`);
  }
  for (const rows of ['0', '2.5', '10001', '-3', 'many', '']) {
    assert.equal(s.parseSettings((name) => (name === 'rows' ? rows : null)).rows, undefined, `rows=${rows}`);
  }
});

test('every algorithm and EAP-IG’s m come from the query and reach the attribution run', () => {
  const query = new URLSearchParams('algorithm=eap-ig&steps=12&metric=logit_diff');
  const settings = s.completeSettings(s.parseSettings((name) => query.get(name)), 'ioi', induction);
  assert.equal(settings.algorithm, 'eap-ig');
  assert.equal(settings.steps, 12);
  for (const algorithm of ['acdc', 'exact', 'eap', 'eap-ig']) {
    assert.equal(s.parseSettings((name) => (name === 'algorithm' ? algorithm : null)).algorithm, algorithm);
  }
  const wire = s.runSettings(settings);
  assert.equal(wire.algorithm, 'eap-ig');
  assert.equal(wire.steps, 12);
  assert.equal(wire.metric, 'logit_diff');
  assert.equal(s.acdcSettings(settings).algorithm, 'acdc', 'ACDC’s settings stay ACDC’s');
});

test('the AcdcRun settings carry every input', () => {
  const settings = s.completeSettings({ tau: 0.5, seed: 3, indicesMode: 'reverse', rows: 12 }, 'm', induction);
  assert.deepEqual(s.acdcSettings(settings), {
    task: 'induction',
    algorithm: 'acdc',
    tau: 0.5,
    metric: 'kl',
    ablation: 'resample',
    indicesMode: 'reverse',
    namesMode: 'normal',
    absValueThreshold: false,
    seed: 3,
    rows: 12,
    steps: 5,
  });
});

test('an unknown task falls back to one the model lists', () => {
  const other = { ...induction, name: 'docstring' };
  assert.equal(s.pickTask([other, induction], 'nope', ['induction']).name, 'induction');
  assert.equal(s.pickTask([other, induction], 'docstring', ['induction']).name, 'docstring');
  assert.equal(s.pickTask([other, induction], undefined, null).name, 'docstring');
});

test('τ slider: log scale from 1e-4 to 1, three significant digits', () => {
  assert.equal(s.sliderToTau(0), 1e-4);
  assert.equal(s.sliderToTau(1), 1);
  assert.equal(s.sliderToTau(0.5), 0.01);
  for (const tau of [1e-4, 0.00123, 0.05, 0.5, 1]) {
    assert.ok(Math.abs(s.sliderToTau(s.tauToSlider(tau)) - tau) / tau < 5e-3, String(tau));
  }
  assert.equal(s.tauToSlider(10), 1);
  assert.equal(s.tauToSlider(1e-9), 0);
});

test("a task chosen afresh brings its metric, τ and ablation (zero for tracr)", () => {
  const tracr = { name: 'tracr-reverse', defaultMetric: 'l2', defaultTau: 1e-3, defaultAblation: 'zero', defaultRows: 6, explanation: '' };
  const settings = s.completeSettings({ ablation: 'resample', metric: 'kl' }, 'induction-2l', induction);
  const next = s.withTask(settings, tracr);
  assert.deepEqual([next.task, next.metric, next.tau, next.ablation], ['tracr-reverse', 'l2', 1e-3, 'zero']);
  assert.equal(s.completeSettings({}, 'tracr-reverse', tracr).ablation, 'zero');
  assert.equal(s.withTask(next, induction).ablation, 'zero', 'a task that names no ablation keeps the current one');
});

test('a picked model that lists its tasks opens with its first one unless it lists the current task', () => {
  const current = s.completeSettings({}, 'induction-2l', induction);
  assert.equal(s.modelTask(current, ['tracr-proportion']), 'tracr-proportion');
  assert.equal(s.modelTask(current, ['ioi', 'induction']), undefined, 'the current task fits');
  assert.equal(s.modelTask(current, []), undefined, 'a model that lists none keeps the task');
  assert.equal(s.modelTask(current, undefined), undefined);
  assert.equal(s.modelTask(null, ['tracr-proportion']), undefined, "the first load keeps the URL's task");
  const custom = { ...current, task: 'custom' };
  assert.equal(s.modelTask(custom, ['tracr-proportion']), undefined, "a person's own task goes with them to another model");
});
