// The worker protocol, defined once for both sides (DESIGN.md, "The worker
// protocol"). Every request carries an `id`; the worker answers it with zero or
// more `progress` messages and then exactly one terminal message — its result
// or an `error` — carrying the same `id` (web-llm's `web_worker.ts` discipline).
// Both sides narrow on `type`; nothing here is cast.

/** The burn device the wasm module runs on. */
export type Backend = 'webgpu' | 'cpu';

/** What the page asks for; "auto" tries WebGPU, then falls back to the CPU. */
export type BackendPreference = 'auto' | Backend;

/** One token of the prompt as the model's tokenizer split it. */
export interface PromptToken {
  id: number;
  text: string;
}

/** One candidate next token, in descending order of probability. */
export interface TopToken {
  id: number;
  token: string;
  prob: number;
}

/** The same JSON the CLI prints for `circuitscope run … --json`. */
export interface Prediction {
  tokens: PromptToken[];
  top: TopToken[];
}

/** `Session.info()` of the wasm API. */
export interface SessionInfo {
  /** The model's config.json, TransformerLens field names. */
  config: Record<string, unknown>;
  parameterCount: number;
  vocabSize: number;
  backend: string;
}

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

export type WorkerRequest = InitRequest | LoadRequest | LoadFilesRequest | PredictRequest;

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
  info: SessionInfo;
}

export interface PredictionResponse {
  type: 'prediction';
  id: number;
  prediction: Prediction;
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
  | PredictionResponse
  | ErrorResponse;

/** Messages that end a request. */
export type TerminalResponse = Exclude<WorkerResponse, ProgressResponse>;

/** A request as the page writes it; the client adds the `id`. */
export type RequestBody = WithoutId<WorkerRequest>;

/** `Omit<R, 'id'>` applied to each member of a union, so it stays narrowable. */
type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;
