// Responses, worker → page (docs/worker-protocol.md): interim messages, then one terminal
// message (a result or `error`) with the request's `id`.

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
  Roc,
  ScoresFile,
  TaskData,
  TaskInfo,
  TruthOverlay,
} from '../generated/wire';
import type { AcdcData, Backend } from './common';
import type { WorkerRequest } from './requests';


export interface ReadyResponse {
  type: 'ready';
  id: number;
  backend: Backend;
  /** Why this backend was chosen (e.g. why WebGPU was not available). */
  reason: string;
  /** Threads the wasm module computes on (the CPU backend's; 1 in the one-thread build). */
  threads: number;
  /** Why there is one thread only (empty when there are more). */
  oneThreadWhy: string;
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

export interface PongResponse {
  type: 'pong';
  id: number;
}

/**
 * What went wrong, by stage. `worker_crashed` means the worker is gone (an
 * uncaught error or a wasm trap); the page restarts it. So do the other
 * three ways a worker ends: `out_of_memory` (a trap with the wasm heap near
 * its 4 GB), `gpu_lost` (the WebGPU device was lost: posted with id 0, for no
 * request, as soon as the device says so) and `worker_hung` (the client's
 * watchdog heard nothing for too long; never posted by the worker).
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
  | 'worker_crashed'
  | 'out_of_memory'
  | 'gpu_lost'
  | 'worker_hung';

/** The codes after which the worker is gone and the client starts a fresh one. */
export const WORKER_ENDED: readonly ErrorCode[] = ['worker_crashed', 'out_of_memory', 'gpu_lost', 'worker_hung'];

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
  | PongResponse
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
