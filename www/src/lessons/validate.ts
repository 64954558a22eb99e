// A parsed lesson against what the page offers: the models it names are
// shipped (or are RASP examples), its tasks exist, its algorithm is offered,
// the heads and edges in its setups and measures exist in the model each
// step uses, and every measure is called right. Mistakes keep their lines.

import { parseMeasure } from './blocks';
import type { Lesson, LessonError, MeasureCall, Step } from './format';
import { checkCall } from './measures';
import { checkEdge, checkHead, shapeOfConfig, type ModelShape } from './refs';

/** What the page knows that a lesson may name. */
export interface PageCatalog {
  /** Shipped models by id: their config.json, and whether a RASP program comes with them. */
  models: ReadonlyMap<string, { config: Record<string, unknown>; program: boolean }>;
  /** Task names (empty: not known yet, so not checked). */
  tasks: readonly string[];
  /** The algorithms the page's picker offers. */
  algorithms: readonly string[];
  /** The model the page holds now, for a lesson that names none. */
  current: string | null;
}

/** `{{measure …}}` in Markdown. */
export const PLACEHOLDER = /\{\{([^}]+)\}\}/g;

/** The measures a text interpolates, with their lines (`first`: the text's first line). */
export function placeholders(text: string, first: number, errors: LessonError[]): MeasureCall[] {
  const calls: MeasureCall[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(PLACEHOLDER)) {
      const call = parseMeasure(m[1], first + i, errors);
      if (call) calls.push(call);
    }
  });
  return calls;
}

export function validateLesson(lesson: Lesson, catalog: PageCatalog): LessonError[] {
  const errors: LessonError[] = [];
  const steps = lesson.steps.map((s) => s.id);
  let model = catalog.current;
  let shape: ModelShape | null = model ? shapeOf(catalog, model) : null;
  for (const step of lesson.steps) {
    const setup = step.setup;
    if (setup?.model) {
      const entry = catalog.models.get(setup.model.value);
      if (entry === undefined) {
        errors.push({ line: setup.model.line, message: `unknown model "${setup.model.value}" (shipped: ${[...catalog.models.keys()].join(', ')})` });
        shape = null;
      } else {
        model = setup.model.value;
        shape = shapeOfConfig(entry.config);
      }
    }
    if (setup?.rasp) {
      const entry = catalog.models.get(setup.rasp.value);
      if (entry?.program !== true) {
        const examples = [...catalog.models].filter(([, m]) => m.program).map(([id]) => id);
        errors.push({ line: setup.rasp.line, message: `"${setup.rasp.value}" is not a RASP example (examples: ${examples.join(', ')})` });
        shape = null;
      } else {
        model = setup.rasp.value;
        shape = shapeOfConfig(entry.config);
      }
    }
    if (setup?.task && catalog.tasks.length > 0 && !catalog.tasks.includes(setup.task.value)) {
      errors.push({ line: setup.task.line, message: `unknown task "${setup.task.value}" (tasks: ${catalog.tasks.join(', ')})` });
    }
    if (setup?.algorithm && !catalog.algorithms.includes(setup.algorithm.value)) {
      errors.push({ line: setup.algorithm.line, message: `the page does not offer the algorithm "${setup.algorithm.value}" (it offers ${catalog.algorithms.join(', ')})` });
    }
    if (shape !== null && setup?.head) {
      const why = checkHead(shape, setup.head.value);
      if (why) errors.push({ line: setup.head.line, message: why });
    }
    if (shape !== null && setup?.edge) {
      const why = checkEdge(shape, setup.edge.value);
      if (why) errors.push({ line: setup.edge.line, message: why });
    }
    checkStep(step, { shape, steps }, errors);
    // A program of the lesson's own changes the model: its shape is known only once compiled.
    if (step.program) shape = null;
  }
  return errors.sort((a, b) => a.line - b.line);
}

function shapeOf(catalog: PageCatalog, model: string): ModelShape | null {
  const entry = catalog.models.get(model);
  return entry ? shapeOfConfig(entry.config) : null;
}

function checkStep(step: Step, check: { shape: ModelShape | null; steps: readonly string[] }, errors: LessonError[]): void {
  const report = (call: MeasureCall, use: Parameters<typeof checkCall>[1]) => {
    for (const message of checkCall(call, use, check)) errors.push({ line: call.line, message: `${message} (in "${call.source}")` });
  };
  placeholders(step.text, step.line + 1, errors).forEach((c) => report(c, 'text'));
  const q = step.question;
  if (q === undefined) return;
  report(q.answer, { kind: q.kind, as: 'answer' });
  if (q.options && 'measure' in q.options) report(q.options.measure, { kind: q.kind, as: 'options' });
  for (const text of [q.explain, q.hint, q.prompt]) {
    if (text) placeholders(text.value, text.line, errors).forEach((c) => report(c, 'text'));
  }
  for (const need of q.needs) {
    if (need.kind === 'head' && check.shape) {
      const why = checkHead(check.shape, need.head);
      if (why) errors.push({ line: need.line, message: why });
    }
  }
  if (q.kind === 'edges' && q.among && check.shape) {
    const m = /^(kept|into (.+)|from (.+))$/.exec(q.among.value);
    if (!m) errors.push({ line: q.among.line, message: 'among is "kept", "into RECEIVER" or "from SENDER"' });
  }
}
