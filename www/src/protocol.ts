// The worker protocol, defined once for both sides
// (docs/worker-protocol.md#the-worker-protocol). Every request carries an
// `id`; the worker answers it with zero or more interim messages and then
// exactly one terminal message — its result or an `error` — carrying the same
// `id` (web-llm's `web_worker.ts` discipline). Both sides narrow on `type`;
// nothing here is cast. A `run` is the one long request: `started`, then
// `events` batches, then `done`, `cancelled` or `error`; `control` requests
// steer it by its id and are answered at once.
//
// The messages are written here by hand (they exist only in TypeScript); the
// data they carry are the wasm API's shapes, generated from the Rust types
// (generated/wire.ts).

import type {
  AcdcEvent,
  AcdcStatus,
  AttentionPattern,
  CompileFailure,
  CompileReport,
  CurvePoint,
  EdgeAttention,
  GraphInfo,
  HeadLogits,
  InputRun,
  LayoutGroup,
  LogitLens,
  ModelInfo,
  Prediction,
  RunSettings,
  TaskData,
  TaskInfo,
  TruthOverlay,
} from './generated/wire';

/** The burn device the wasm module runs on. */
export type Backend = 'webgpu' | 'cpu';

/** What the page asks for; "auto" tries WebGPU, then falls back to the CPU. */
export type BackendPreference = 'auto' | Backend;

// ---- requests: page → worker -------------------------------------------------

export interface InitRequest {
  type: 'init';
  id: number;
  prefer: BackendPreference;
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

export type WorkerRequest =
  | InitRequest
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
  | ControlRequest;

// ---- responses: worker → page ------------------------------------------------

export interface ReadyResponse {
  type: 'ready';
  id: number;
  backend: Backend;
  /** Why this backend was chosen (e.g. why WebGPU was not available). */
  reason: string;
}

/** Bytes of model.safetensors received so far; `total` is null when the server did not say. */
export interface ProgressResponse {
  type: 'progress';
  id: number;
  bytes: number;
  total: number | null;
}

export interface LoadedResponse {
  type: 'loaded';
  id: number;
  info: ModelInfo;
}

/** The program compiled and its model is the loaded one now. */
export interface RaspCompiledResponse {
  type: 'raspCompiled';
  id: number;
  info: ModelInfo;
  report: CompileReport;
}

/** The program does not compile (where and why); the previous model is still loaded. */
export interface RaspRejectedResponse {
  type: 'raspRejected';
  id: number;
  error: CompileFailure;
}

export interface RaspRunResponse {
  type: 'raspRun';
  id: number;
  run: InputRun;
}

export interface RaspLayoutResponse {
  type: 'raspLayout';
  id: number;
  layout: LayoutGroup[];
}

export interface PredictionResponse {
  type: 'prediction';
  id: number;
  prediction: Prediction;
}

export interface TasksResponse {
  type: 'tasks';
  id: number;
  tasks: TaskInfo[];
}

export interface GraphInfoResponse {
  type: 'graphInfo';
  id: number;
  graph: GraphInfo;
}

export interface TaskDataResponse {
  type: 'taskData';
  id: number;
  data: TaskData;
}

export interface AttentionResponse extends AttentionPattern {
  type: 'attention';
  id: number;
}

export interface LogitLensResponse {
  type: 'logitLens';
  id: number;
  lens: LogitLens;
}

export interface HeadLogitsResponse {
  type: 'headLogits';
  id: number;
  logits: HeadLogits;
}

export interface EdgeAttentionResponse {
  type: 'edgeAttention';
  id: number;
  attention: EdgeAttention;
}

/** One point per circuit asked for, in order, and the full and empty models' metrics. */
export interface CircuitsMeasuredResponse {
  type: 'circuitsMeasured';
  id: number;
  points: CurvePoint[];
  fullMetric: number;
  emptyMetric: number;
}

/** One score per graph edge (NaN for the edges no method scores). */
export interface EdgeScoresResponse {
  type: 'edgeScores';
  id: number;
  scores: Float64Array;
}

export interface TruthOverlayResponse {
  type: 'truthOverlay';
  id: number;
  overlay: TruthOverlay;
}

/** The run measured the full model and is about to test edges. */
export interface StartedResponse {
  type: 'started';
  id: number;
  graph: GraphInfo;
  data: TaskData;
  status: AcdcStatus;
}

/** A batch of events and the status after them. */
export interface EventsResponse {
  type: 'events';
  id: number;
  events: AcdcEvent[];
  status: AcdcStatus;
}

/**
 * The run has stopped testing edges: every event computed so far was posted
 * before this message and no batch is in flight. Sent each time a paused run
 * goes idle (after `pause`, after each `step`, and at the start of a run
 * started paused), so "paused" on screen means nothing more will move.
 */
export interface PausedResponse {
  type: 'paused';
  id: number;
  status: AcdcStatus;
}

/** The run finished: `circuit` is circuit.json, as the CLI writes it. */
export interface RunDoneResponse {
  type: 'done';
  id: number;
  circuit: unknown;
  status: AcdcStatus;
  /** Seconds spent computing (pauses excluded). */
  wallTime: number;
}

export interface CancelledResponse {
  type: 'cancelled';
  id: number;
}

export interface AckResponse {
  type: 'ack';
  id: number;
}

/**
 * What went wrong, by stage. `worker_crashed` means the worker is gone (an
 * uncaught error or a wasm trap); the page restarts it.
 */
export type ErrorCode =
  | 'backend'
  | 'fetch'
  | 'load'
  | 'predict'
  | 'task'
  | 'graph'
  | 'run'
  | 'attention'
  | 'inspect'
  | 'not_ready'
  | 'bad_request'
  | 'worker_crashed';

export interface ErrorResponse {
  type: 'error';
  id: number;
  code: ErrorCode;
  message: string;
}

export type WorkerResponse =
  | ReadyResponse
  | ProgressResponse
  | LoadedResponse
  | RaspCompiledResponse
  | RaspRejectedResponse
  | RaspRunResponse
  | RaspLayoutResponse
  | PredictionResponse
  | TasksResponse
  | GraphInfoResponse
  | TaskDataResponse
  | AttentionResponse
  | LogitLensResponse
  | HeadLogitsResponse
  | EdgeAttentionResponse
  | CircuitsMeasuredResponse
  | EdgeScoresResponse
  | TruthOverlayResponse
  | StartedResponse
  | EventsResponse
  | PausedResponse
  | RunDoneResponse
  | CancelledResponse
  | AckResponse
  | ErrorResponse;

/** Messages that report on a request without ending it. */
export type InterimResponse = ProgressResponse | StartedResponse | EventsResponse | PausedResponse;

/** Messages that end a request. */
export type TerminalResponse = Exclude<WorkerResponse, InterimResponse>;

/** A request as the page writes it; the client adds the `id`. */
export type RequestBody = WithoutId<WorkerRequest>;

/** `Omit<R, 'id'>` applied to each member of a union, so it stays narrowable. */
type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;
