// The page's one serializable state: the inputs that decide a run. The URL,
// the element's attributes and the form are projections of it (pure: no DOM).
// Hover, zoom and results are not state.

import {
  ABLATIONS,
  ALGORITHMS,
  DEFAULT_RUN_SETTINGS,
  METRICS,
  VISIT_MODES,
  type Ablation,
  type Algorithm as AnyAlgorithm,
  type MetricKind,
  type Mode,
  type RunSettings,
  type TaskInfo,
} from '../generated/wire';

/** The algorithms the page runs: ACDC, and the attribution methods exact, EAP and EAP-IG (docs/methods.md). */
export type Algorithm = AnyAlgorithm;

export interface Settings {
  model: string;
  task: string;
  algorithm: Algorithm;
  metric: MetricKind;
  ablation: Ablation;
  tau: number;
  seed: number;
  indicesMode: Mode;
  namesMode: Mode;
  /** EAP-IG's interpolation steps m. */
  steps: number;
  /**
   * Rows of the task's data (null: the task's own count). Fewer rows fit a larger model in the
   * page's memory (the worker refuses a run that would not fit and says how many would); a
   * person's own task has its own rows, and ignores it.
   */
  rows: number | null;
}

/** EAP-IG's m: at least 1; more than this is a typo (each step is a forward and a backward pass). */
export const MAX_STEPS = 100;

/** More rows than this is a typo: the tasks generate hundreds at most. */
export const MAX_ROWS = 10_000;

/** τ's slider range (log scale), as in the paper's sweeps for induction. */
export const TAU_MIN = 1e-4;
export const TAU_MAX = 1;

/** Query parameter (and attribute) of each setting. */
export const PARAM: Record<keyof Settings, string> = {
  model: 'model',
  task: 'task',
  algorithm: 'algorithm',
  metric: 'metric',
  ablation: 'ablation',
  tau: 'tau',
  seed: 'seed',
  indicesMode: 'indices',
  namesMode: 'names',
  steps: 'steps',
  rows: 'rows',
};

/**
 * Reads whatever settings `get` (a query or an element's attributes) holds;
 * anything missing or malformed is left out, to be filled with defaults.
 */
export function parseSettings(get: (name: string) => string | null): Partial<Settings> {
  const out: Partial<Settings> = {};
  const text = (key: keyof Settings) => {
    const value = get(PARAM[key])?.trim();
    return value ? value : null;
  };
  const model = text('model');
  if (model !== null) out.model = model;
  const task = text('task');
  if (task !== null) out.task = task;
  const algorithm = oneOf(text('algorithm'), ALGORITHMS);
  if (algorithm) out.algorithm = algorithm;
  const metric = oneOf(text('metric'), METRICS);
  if (metric) out.metric = metric;
  const ablation = oneOf(text('ablation'), ABLATIONS);
  if (ablation) out.ablation = ablation;
  const tau = Number(text('tau') ?? Number.NaN);
  if (Number.isFinite(tau) && tau > 0) out.tau = tau;
  const seed = Number(text('seed') ?? Number.NaN);
  // A seed the crate reads as a u64 and the URL keeps exactly.
  if (Number.isSafeInteger(seed) && seed >= 0) out.seed = seed;
  const indices = oneOf(text('indicesMode'), VISIT_MODES);
  if (indices) out.indicesMode = indices;
  const names = oneOf(text('namesMode'), VISIT_MODES);
  if (names) out.namesMode = names;
  const steps = parseCount(text('steps'), MAX_STEPS);
  if (steps !== null) out.steps = steps;
  const rows = parseRows(text('rows'));
  if (rows !== null) out.rows = rows;
  return out;
}

/** A whole count from 1 to `max` (null: anything else, which means the default). */
export function parseCount(value: string | null, max: number): number | null {
  const n = Number(value ?? Number.NaN);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : null;
}

/** A row count from 1 to MAX_ROWS (null: anything else, which means the task's own). */
export function parseRows(value: string | null): number | null {
  return parseCount(value, MAX_ROWS);
}

/** Every setting as query parameters, in a fixed order (a null one, the default, left out). */
export function settingsQuery(settings: Settings): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of Object.keys(PARAM) as (keyof Settings)[]) {
    if (settings[key] !== null) params.set(PARAM[key], String(settings[key]));
  }
  return params;
}

/** Fills what `partial` lacks: the task's defaults, then ACDC's. */
export function completeSettings(partial: Partial<Settings>, model: string, task: TaskInfo | undefined): Settings {
  return {
    model,
    task: task?.name ?? partial.task ?? 'induction',
    algorithm: partial.algorithm ?? 'acdc',
    metric: partial.metric ?? task?.defaultMetric ?? 'kl',
    ablation: partial.ablation ?? task?.defaultAblation ?? 'resample',
    tau: partial.tau ?? task?.defaultTau ?? 0.05,
    seed: partial.seed ?? 0,
    indicesMode: partial.indicesMode ?? 'normal',
    namesMode: partial.namesMode ?? 'normal',
    steps: partial.steps ?? DEFAULT_RUN_SETTINGS.steps,
    rows: partial.rows ?? null,
  };
}

/** The settings with a newly chosen task, and that task's metric, τ and ablation. */
export function withTask(settings: Settings, task: TaskInfo): Settings {
  return {
    ...settings,
    task: task.name,
    metric: task.defaultMetric,
    tau: task.defaultTau,
    ablation: task.defaultAblation ?? settings.ablation,
  };
}

/**
 * The task a newly picked model opens with, when it should not keep the
 * current one: the model lists its tasks (config.tasks) and the current task
 * is not among them. Undefined on the first load (the URL's task stands) and
 * for models that list none.
 */
export function modelTask(current: Settings | null, modelTasks: unknown): string | undefined {
  const listed = listedTasks(modelTasks);
  // A person's own task (state/custom-task.ts) goes with them from model to model.
  if (current === null || listed.length === 0 || listed.includes(current.task) || current.task === 'custom') return undefined;
  return listed[0];
}

/** The task to open: the wanted one if it exists, else one the model lists, else the first. */
export function pickTask(tasks: readonly TaskInfo[], wanted: string | undefined, modelTasks: unknown): TaskInfo | undefined {
  const listed = listedTasks(modelTasks);
  return (
    tasks.find((t) => t.name === wanted) ?? tasks.find((t) => listed.includes(t.name)) ?? tasks[0]
  );
}

/** What `AcdcRun.start` takes (`RunSettings`, generated from the Rust type). */
export function acdcSettings(settings: Settings): RunSettings {
  return {
    ...DEFAULT_RUN_SETTINGS,
    task: settings.task,
    algorithm: 'acdc',
    tau: settings.tau,
    metric: settings.metric,
    ablation: settings.ablation,
    indicesMode: settings.indicesMode,
    namesMode: settings.namesMode,
    seed: settings.seed,
    rows: settings.rows,
  };
}

/** What an attribution run (`AttributionRun.start`) or a judge takes: the method and m beside the rest. */
export function runSettings(settings: Settings): RunSettings {
  return { ...acdcSettings(settings), algorithm: settings.algorithm, steps: settings.steps };
}

/** τ as a slider position in [0, 1] (log scale) and back, rounded to 3 significant digits. */
export function tauToSlider(tau: number): number {
  const t = (Math.log10(tau) - Math.log10(TAU_MIN)) / (Math.log10(TAU_MAX) - Math.log10(TAU_MIN));
  return Math.min(1, Math.max(0, t));
}

export function sliderToTau(position: number): number {
  const exponent = Math.log10(TAU_MIN) + position * (Math.log10(TAU_MAX) - Math.log10(TAU_MIN));
  return Number((10 ** exponent).toPrecision(3));
}

/** config.json's `tasks` (any JSON: a config from disk may say anything), as names. */
function listedTasks(modelTasks: unknown): string[] {
  return Array.isArray(modelTasks) ? modelTasks.filter((t): t is string => typeof t === 'string') : [];
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}
