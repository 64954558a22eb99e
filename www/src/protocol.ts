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
  CustomTask,
  EdgeAttention,
  GraphInfo,
  HeadLogits,
  InputRun,
  LayoutGroup,
  MetricKind,
  LogitLens,
  ModelInfo,
  Prediction,
  Roc,
  RunSettings,
  ScoresFile,
  TaskData,
  TaskInfo,
  TruthOverlay,
} from './generated/wire';

/**
 * data.json as the CLI reads it (`circuitscope acdc|attribute --data`; docs/formats.md#datajson):
 * what `Session.customData` makes of a person's own rows. The crate's `AcdcData`, which the
 * generated types do not carry.
 */
export interface AcdcData {
  clean: number[][];
  corrupt: number[][];
  positions?: number[][] | null;
  correct?: (number | number[])[] | null;
  wrong?: (number | number[])[] | null;
  pos_embed_perm?: number[] | null;
}

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
  | ControlRequest
  | CustomDataRequest
  | AttributeRequest
  | JudgePointRequest
  | JudgeCircuitRequest
  | RocRequest;

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

export interface CustomDataResponse {
  type: 'customData';
  id: number;
  /** data.json, as the CLI reads it. */
  data: AcdcData;
  view: TaskData;
}

/** An attribution run's steps so far (one edge for exact, one forward and backward pass for EAP and EAP-IG). */
export interface AttributionProgress {
  doneSteps: number;
  totalSteps: number;
  done: boolean;
}

/** The clean and corrupted inputs ran; scoring begins (how many steps it takes comes with the first progress). */
export interface AttributionStartedResponse {
  type: 'attributionStarted';
  id: number;
  /** The rows it runs on (the graph is the loaded model's, which the page has). */
  data: TaskData;
}

/**
 * After each batch of steps; `paused` once the run stopped at a pause (every
 * step computed so far is counted in this message).
 */
export interface AttributionProgressResponse {
  type: 'attributionProgress';
  id: number;
  progress: AttributionProgress;
  paused: boolean;
}

/** The attribution run finished. */
export interface AttributedResponse {
  type: 'attributed';
  id: number;
  /** scores.json, as `circuitscope attribute` writes it. */
  scores: ScoresFile;
  /** One score per graph edge (NaN for edges no method scores). */
  perEdge: Float64Array;
  /** Seconds spent computing (pauses excluded). */
  wallTime: number;
}

/** A circuit's point on the faithfulness curve, with M(N) and M(∅) of the data it was judged on. */
export interface JudgedResponse {
  type: 'judged';
  id: number;
  point: CurvePoint;
  /** 1 per graph edge the circuit keeps (after pruning). */
  kept: Uint8Array;
  fullMetric: number;
  emptyMetric: number;
}

export interface RocResponse {
  type: 'roc';
  id: number;
  roc: Roc;
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
  | 'judge'
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
  | CustomDataResponse
  | AttributionStartedResponse
  | AttributionProgressResponse
  | AttributedResponse
  | JudgedResponse
  | RocResponse
  | ErrorResponse;

/** Messages that report on a request without ending it. */
export type InterimResponse =
  | ProgressResponse
  | StartedResponse
  | EventsResponse
  | PausedResponse
  | AttributionStartedResponse
  | AttributionProgressResponse;

/** Whether a message reports on a request without ending it. */
export function isInterim(message: WorkerResponse): message is InterimResponse {
  switch (message.type) {
    case 'progress':
    case 'started':
    case 'events':
    case 'paused':
    case 'attributionStarted':
    case 'attributionProgress':
      return true;
    default:
      return false;
  }
}

/** Messages that end a request. */
export type TerminalResponse = Exclude<WorkerResponse, InterimResponse>;

/** A request as the page writes it; the client adds the `id`. */
export type RequestBody = WithoutId<WorkerRequest>;

/** `Omit<R, 'id'>` applied to each member of a union, so it stays narrowable. */
type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;
