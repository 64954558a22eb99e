// Requests, page → worker (docs/worker-protocol.md). Each carries an `id`.

import type {
  CustomTask,
  MetricKind,
  RunSettings,
} from '../generated/wire';
import type { BackendPreference } from './common';


export interface InitRequest {
  type: 'init';
  id: number;
  prefer: BackendPreference;
  /**
   * Threads the CPU backend computes on; absent: one fewer than the cores (the page's own thread
   * draws), which is one thread on two cores. More than one needs a cross-origin isolated page.
   */
  threads?: number;
}

/** Fetches `models/<model>/{config.json, model.safetensors, tokenizer.json}`. */
export interface LoadRequest {
  type: 'load';
  id: number;
  /** A model id: a folder under `/models`. */
  model: string;
}

/**
 * Compiles a RASP program. One that compiles becomes the loaded model (and
 * cancels the run); one that does not leaves the loaded model in place.
 */
export interface CompileRaspRequest {
  type: 'compileRasp';
  id: number;
  source: string;
}

/** Runs a RASP program and its compiled model on one input (words of its vocabulary). */
export interface RaspRunRequest {
  type: 'raspRun';
  id: number;
  source: string;
  input: string;
}

/** The residual layout of a shipped compiled model, from its ground_truth.json text. */
export interface RaspLayoutRequest {
  type: 'raspLayout';
  id: number;
  groundTruth: string;
}

/** Loads a model from files the user picked (the weights buffer is transferred). */
export interface LoadFilesRequest {
  type: 'loadFiles';
  id: number;
  config: string;
  weights: ArrayBuffer;
  tokenizer?: string;
}

export interface PredictRequest {
  type: 'predict';
  id: number;
  prompt: string;
  /** How many of the most likely next tokens to return. */
  k: number;
}

/** `listTasks()`. */
export interface TasksRequest {
  type: 'tasks';
  id: number;
}

/** The loaded model's ACDC graph. */
export interface GraphRequest {
  type: 'graph';
  id: number;
}

/** A task's data for the loaded model (fails when the task does not fit it). */
export interface TaskDataRequest {
  type: 'taskData';
  id: number;
  task: string;
  rows?: number;
  seed: number;
}

/** One head's attention pattern on a row of token ids. */
export interface AttentionRequest {
  type: 'attention';
  id: number;
  ids: number[];
  layer: number;
  head: number;
}

/** The logit lens of one row: the `k` likeliest next tokens per layer and position. */
export interface LogitLensRequest {
  type: 'logitLens';
  id: number;
  ids: number[];
  k: number;
}

/** What head `layer.head` writes to the logits (direct effect) at each position of a row. */
export interface HeadLogitsRequest {
  type: 'headLogits';
  id: number;
  ids: number[];
  layer: number;
  head: number;
  k: number;
}

/**
 * The attention of the head an edge feeds (graph edge `edge`, into a query or
 * key) on `row` of the settings' data, with the edge present and removed.
 */
export interface EdgeAttentionRequest {
  type: 'edgeAttention';
  id: number;
  settings: RunSettings;
  edge: number;
  row: number;
}

/**
 * Measures circuits on the settings' data (a `JudgeRun`, kept while the
 * model and the data settings stay the same): M and f of each circuit in
 * `circuits` (1 per kept graph edge), and M(N), M(∅).
 */
export interface MeasureCircuitsRequest {
  type: 'measureCircuits';
  id: number;
  settings: RunSettings;
  circuits: Uint8Array[];
}

/** Scores every ADDITION edge with `settings.algorithm` (exact, eap or eap-ig) to the end. */
export interface EdgeScoresRequest {
  type: 'edgeScores';
  id: number;
  settings: RunSettings;
}

/** A finished circuit of the loaded model's graph against its ground truth, scored by the crate. */
export interface TruthOverlayRequest {
  type: 'truthOverlay';
  id: number;
  /** 1 per graph edge in the circuit (edge ids index `GraphInfo.edges`). */
  kept: Uint8Array;
  /** ground_truth.json's text. */
  groundTruth: string;
}

/** Edges per batch; 'max' = as many as keep a batch near one frame's work. */
export type Speed = 1 | 5 | 20 | 'max';
export const SPEEDS: readonly Speed[] = [1, 5, 20, 'max'];

/** Starts ACDC on the loaded model (a later run cancels an earlier one). */
export interface RunRequest {
  type: 'run';
  id: number;
  settings: RunSettings;
  speed: Speed;
  /** Start paused: nothing is tested until `resume` or `step`. */
  paused?: boolean;
  /** A person's own rows instead of the task's (`Session.customData` with the settings' metric). */
  custom?: CustomTask;
}

/** A person's own task as data for `metric`: data.json and its rows as text. */
export interface CustomDataRequest {
  type: 'customData';
  id: number;
  task: CustomTask;
  metric: MetricKind;
}

/**
 * Scores every ADDITION edge with `settings.algorithm` (exact, eap or
 * eap-ig) on the loaded model; a later run of any kind cancels it. Steered
 * by `control` like an ACDC run (pause, resume, step = one more step, cancel).
 */
export interface AttributeRequest {
  type: 'attribute';
  id: number;
  settings: RunSettings;
  custom?: CustomTask;
  paused?: boolean;
}

/**
 * What a circuit is judged on: the settings' data (the task's rows, or
 * `custom`), metric and ablation. The worker keeps one `JudgeRun` for the
 * last such question and the loaded model, and builds a new one when either changes.
 */
interface JudgeOn {
  settings: RunSettings;
  custom?: CustomTask;
}

/** The circuit cut from `scores` (one per graph edge) at `fraction` of the ADDITION edges, and its faithfulness. */
export interface JudgePointRequest extends JudgeOn {
  type: 'judgePoint';
  id: number;
  scores: Float64Array;
  fraction: number;
}

/** One circuit's faithfulness (ACDC's): `kept` is 1 per graph edge in it. */
export interface JudgeCircuitRequest extends JudgeOn {
  type: 'judgeCircuit';
  id: number;
  kept: Uint8Array;
}

/** ROC of `scores` against ground_truth.json's text. */
export interface RocRequest extends JudgeOn {
  type: 'roc';
  id: number;
  scores: Float64Array;
  groundTruth: string;
}

/**
 * Steers the run whose request id is `runId`: `step` tests exactly one more
 * edge (and pauses a running run); `speed` changes the batch size.
 */
export interface ControlRequest {
  type: 'control';
  id: number;
  runId: number;
  action: 'pause' | 'resume' | 'step' | 'cancel' | 'speed';
  speed?: Speed;
}

/**
 * Are you there? Answered with `pong` at once, outside the wasm lock, as
 * `control` is; the client's watchdog (worker-watchdog.ts) sends it while a
 * request is outstanding. A worker inside one long wasm call answers after it.
 */
export interface PingRequest {
  type: 'ping';
  id: number;
}

/**
 * The model the page will load next: the worker starts fetching its files at
 * once, outside the wasm lock, while the module still compiles; the `load`
 * that follows takes the responses over. No answer; a failed fetch is
 * reported by that `load`.
 */
export interface PrefetchRequest {
  type: 'prefetch';
  id: number;
  model: string;
}

export type WorkerRequest =
  | InitRequest
  | PingRequest
  | PrefetchRequest
  | LoadRequest
  | LoadFilesRequest
  | CompileRaspRequest
  | RaspRunRequest
  | RaspLayoutRequest
  | PredictRequest
  | TasksRequest
  | GraphRequest
  | TaskDataRequest
  | AttentionRequest
  | LogitLensRequest
  | HeadLogitsRequest
  | EdgeAttentionRequest
  | MeasureCircuitsRequest
  | EdgeScoresRequest
  | TruthOverlayRequest
  | RunRequest
  | ControlRequest
  | CustomDataRequest
  | AttributeRequest
  | JudgePointRequest
  | JudgeCircuitRequest
  | RocRequest;
