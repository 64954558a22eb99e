// Setting the playground up for a step, through the lesson host only: the
// model, then the settings the lesson has named so far (the task first, as
// the form does), then what the step opens — a prompt, a run, a head, an
// edge, the logit lens, a program in the RASP editor. Every wait is on the
// page's own state, never on a clock.

import { parseSettings, type Settings } from '../state/settings';
import type { Lesson, Setup } from './format';
import type { LessonHost, PageEvent } from './host';
import { edgeId, parseHead } from './refs';

/** The settings a step runs with: every setup up to it, later ones winning. */
export function mergedSetup(lesson: Lesson, index: number): Setup {
  const out: Setup = { line: 0 };
  for (const step of lesson.steps.slice(0, index + 1)) {
    const s = step.setup;
    if (!s) continue;
    // A prompt belongs to a model's vocabulary: a new model drops the one before.
    if ((s.model !== undefined && s.model.value !== out.model?.value) || s.rasp !== undefined) {
      delete out.prompt;
      delete out.row;
    }
    for (const key of ['model', 'task', 'algorithm', 'metric', 'ablation', 'tau', 'seed', 'indices', 'names', 'prompt', 'row'] as const) {
      if (s[key] !== undefined) Object.assign(out, { [key]: s[key] });
    }
    // A compiled example is the model from then on, until a later step names another.
    if (s.model === undefined && s.rasp !== undefined) delete out.model;
  }
  return out;
}

/** Resolves once `ready()` holds, re-checking on every page change; `cancelled()` gives up quietly. */
export function waitFor(host: LessonHost, ready: () => boolean, cancelled: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    let unwatch = () => {};
    let unlisten = () => {};
    const check = () => {
      if (cancelled()) {
        done(false);
      } else if (ready()) done(true);
    };
    const done = (ok: boolean) => {
      unwatch();
      unlisten();
      resolve(ok);
    };
    unwatch = host.state.watch(null, check);
    unlisten = host.listen(check);
    check();
  });
}

/** The settings patch a setup asks for, beside the task (which goes first). */
function settingsPatch(merged: Setup, current: Settings): Partial<Settings> {
  const wanted = parseSettings((name) => {
    const key = { metric: 'metric', ablation: 'ablation', tau: 'tau', seed: 'seed', indices: 'indices', names: 'names', algorithm: 'algorithm' }[name];
    const value = key === undefined ? undefined : merged[key as keyof Setup];
    return value && typeof value === 'object' && 'value' in value ? String(value.value) : null;
  });
  const patch: Partial<Settings> = {};
  for (const key of Object.keys(wanted) as (keyof Settings)[]) {
    if (wanted[key] !== current[key]) Object.assign(patch, { [key]: wanted[key] });
  }
  return patch;
}

export interface Applied {
  /** False when the step was left (or the lesson closed) before the setup finished. */
  complete: boolean;
}

/**
 * Sets the playground up for step `index`: `cancelled` turns true once the
 * student leaves the step. A step without a setup leaves the page as it is.
 */
export async function applySetup(host: LessonHost, lesson: Lesson, index: number, cancelled: () => boolean): Promise<Applied> {
  const setup = lesson.steps[index].setup;
  if (setup === undefined) return { complete: true };
  const merged = mergedSetup(lesson, index);
  const { state } = host;
  const settled = () => waitFor(host, () => state.settings !== null && !state.busy && state.hasGraph, cancelled);
  if (!(await settled())) return { complete: false };

  if (merged.model && state.loaded?.entry.id !== merged.model.value) {
    await host.loadModel(merged.model.value);
    if (!(await settled())) return { complete: false };
  }
  const current = state.settings;
  if (current === null) return { complete: false };
  const patch = settingsPatch(merged, current);
  const newTask = merged.task && merged.task.value !== current.task ? merged.task.value : null;
  if (newTask !== null || Object.keys(patch).length > 0) {
    // Settings are fixed while a run goes on: drop it first.
    host.resetRun();
    if (newTask !== null) host.changeSettings({ task: newTask });
    if (Object.keys(patch).length > 0) host.changeSettings(patch);
  }
  if (!(await waitFor(host, () => state.ready, cancelled))) return { complete: false };

  if (setup.speed) {
    const speed = setup.speed.value === 'max' ? 'max' : Number(setup.speed.value);
    if (speed === 'max' || speed === 1 || speed === 5 || speed === 20) host.setSpeed(speed);
  }
  if (setup.run?.value === 'none') host.resetRun();
  if (setup.run?.value === 'paused') host.startRun(true);
  if (setup.run?.value === 'done') {
    host.setSpeed('max');
    host.startRun(false);
    const ended = await waitFor(host, () => ['done', 'failed'].includes(host.run().phase), cancelled);
    if (!ended) return { complete: false };
  }
  await host.setPrompt(merged.prompt?.value || null, false);
  const head = setup.head ? parseHead(setup.head.value) : null;
  if (head) host.openHead(head.layer, head.head);
  const graph = host.graph();
  if (setup.edge && graph) host.openEdge(edgeId(graph, setup.edge.value));
  if (setup.lens?.value) host.openLens(merged.prompt?.value || null);
  if (setup.rasp) {
    const example = host.models().find((m) => m.id === setup.rasp?.value);
    if (example?.program) await host.setProgram(example.program, false);
  }
  return { complete: !cancelled() };
}

/** Runs ACDC at each τ in turn (a sweep), each to the end; false when cancelled or a run failed. */
export async function runSweep(host: LessonHost, taus: readonly number[], cancelled: () => boolean): Promise<boolean> {
  for (const tau of taus) {
    host.resetRun();
    if (host.state.settings?.tau !== tau) host.changeSettings({ tau });
    if (!(await waitFor(host, () => host.state.ready && host.run().phase === 'idle', cancelled))) return false;
    host.setSpeed('max');
    let finished = false;
    const unlisten = host.listen((event: PageEvent) => {
      if (event.type === 'phase' && (event.phase === 'done' || event.phase === 'failed')) finished = true;
    });
    host.startRun(false);
    const ok = await waitFor(host, () => finished, cancelled);
    unlisten();
    if (!ok || host.run().phase !== 'done') return false;
  }
  return true;
}
