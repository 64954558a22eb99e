// The page state (www/src/state/page-state.ts): one object the views read,
// whose watchers hear only the fields that changed, and whose `ready` says
// when a run may start.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { importSrc } from './load-ts.mjs';

let PageState;
before(async () => {
  ({ PageState } = await importSrc('state/page-state.ts'));
});

test('watchers hear the fields they watch, once per change, and only real changes', () => {
  const state = new PageState();
  const heard = [];
  state.watch(['settings'], () => heard.push('settings'));
  state.watch(null, () => heard.push('any'));
  const unwatch = state.watch(['loads', 'data'], () => heard.push('loads or data'));
  state.update({ loads: 1 });
  assert.deepEqual(heard, ['any', 'loads or data']);
  heard.length = 0;
  state.update({ loads: 1, backend: null });
  assert.deepEqual(heard, [], 'nothing changed');
  const settings = { task: 'induction' };
  state.update({ settings, loads: 0 });
  assert.deepEqual(heard, ['settings', 'any', 'loads or data']);
  assert.equal(state.settings, settings);
  heard.length = 0;
  unwatch();
  state.countLoad(1);
  assert.deepEqual(heard, ['any']);
  assert.equal(state.loads, 1);
  assert.equal(state.busy, true);
});

test('a run may start once a model, its graph and its data are there and nothing loads', () => {
  const state = new PageState();
  assert.equal(state.ready, false);
  state.update({ loaded: { entry: { id: 'm' }, info: {} }, hasGraph: true });
  assert.equal(state.ready, false, 'no task data yet');
  state.update({ data: { clean: [[1]], corrupt: [[2]], positions: null, cleanText: [], corruptText: [] } });
  assert.equal(state.ready, true);
  state.countLoad(1);
  assert.equal(state.ready, false, 'a load is in flight');
  state.countLoad(-1);
  state.update({ tasks: [{ name: 'induction' }] });
  assert.equal(state.task('induction')?.name, 'induction');
  assert.equal(state.task('ioi'), undefined);
});
