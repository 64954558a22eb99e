/// <reference lib="webworker" />
// The module Web Worker that owns the wasm module and the current model. The
// page never blocks: it only sends requests (protocol.ts) and renders answers.
//
// Wasm calls run one at a time, in arrival order (`exclusive`), so a predict
// never sees a half-loaded model. A failed load leaves the previous Session in
// place, as does a RASP program that does not compile. An ACDC run
// (worker-run.ts) takes the lock once per batch, so other requests (an
// attention pattern, a prediction) are served between batches; `control`
// requests never wait for the lock. A new model cancels the run.

import init, { initBackend, listTasks, raspLayout, raspRun, Session } from '../pkg/circuitscope.js';
import type {
  AttentionRequest,
  Backend,
  BackendPreference,
  CompileRaspRequest,
  ControlRequest,
  ErrorCode,
  LoadFilesRequest,
  LoadRequest,
  Prediction,
  PredictRequest,
  RaspCompiledResponse,
  RaspRejectedResponse,
  ReadyResponse,
  RunRequest,
  WorkerRequest,
  WorkerResponse,
  SessionInfo,
} from '../protocol';
import type { CompileOutcome, InputRun, LayoutGroup } from '../rasp-types';
import { formatBytes, largestTensor } from './safetensors-header';
import type { AttentionPattern, GraphInfo, TaskData, TaskInfo } from '../wasm-types';
import { RunLoop } from './acdc-run';
import { DEFAULT_RUN_SETTINGS } from '../generated/wire';

declare const self: DedicatedWorkerGlobalScope;

/** An error that already knows which protocol code it reports as. */
class WorkerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

let backend: Promise<ReadyResponse> | null = null;
let session: Session | null = null;
let lock: Promise<unknown> = Promise.resolve();
/** The ACDC run in progress, if any (one per worker). */
let active: RunLoop | null = null;

/** Runs `work` after every wasm call queued before it has settled. */
function exclusive<T>(work: () => T | Promise<T>): Promise<T> {
  const result = lock.then(work);
  lock = result.catch(() => undefined);
  return result;
}

self.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  switch (request.type) {
    case 'control':
      control(request);
      return;
    case 'run':
      void startRun(request);
      return;
    case 'load':
    case 'loadFiles':
      // The run belongs to the model being replaced.
      active?.cancel();
      break;
  }
  void exclusive(() => handle(request));
});

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

async function handle(request: Exclude<WorkerRequest, RunRequest | ControlRequest>): Promise<void> {
  try {
    switch (request.type) {
      case 'init':
        post({ ...(await chooseBackend(request.prefer)), id: request.id });
        return;
      case 'load':
        post({ type: 'loaded', id: request.id, info: await loadFromServer(request) });
        return;
      case 'loadFiles':
        post({ type: 'loaded', id: request.id, info: await loadFromFiles(request) });
        return;
      case 'compileRasp':
        post(await compileRasp(request));
        return;
      case 'raspRun': {
        await requireBackend();
        const run: InputRun = await raspRun(request.source, request.input);
        post({ type: 'raspRun', id: request.id, run });
        return;
      }
      case 'raspLayout':
        await requireBackend();
        post({ type: 'raspLayout', id: request.id, layout: raspLayout(request.groundTruth) as LayoutGroup[] });
        return;
      case 'predict':
        post({ type: 'prediction', id: request.id, prediction: await predict(request) });
        return;
      case 'tasks':
        post({ type: 'tasks', id: request.id, tasks: await tasks() });
        return;
      case 'graph': {
        const graph: GraphInfo = (await requireSession('graph')).graph();
        post({ type: 'graphInfo', id: request.id, graph });
        return;
      }
      case 'taskData': {
        const current = await requireSession('task');
        const settings = { ...DEFAULT_RUN_SETTINGS, task: request.task, rows: request.rows ?? null, seed: request.seed };
        const data: TaskData = current.taskData(settings);
        post({ type: 'taskData', id: request.id, data });
        return;
      }
      case 'attention':
        post({ type: 'attention', id: request.id, ...(await attention(request)) });
        return;
    }
  } catch (error) {
    fail(request, error);
  }
}

/** Posts the request's one `error`; after a wasm trap, closes the worker. */
function fail(request: WorkerRequest, error: unknown): void {
  const crashed = error instanceof WebAssembly.RuntimeError;
  post({
    type: 'error',
    id: request.id,
    code: crashed ? 'worker_crashed' : error instanceof WorkerError ? error.code : codeFor(request),
    message: messageOf(error),
  });
  // A wasm trap (a Rust panic) leaves the module's memory in an unknown state:
  // stop here and let the page start a fresh worker.
  if (crashed) self.close();
}

/** Starts a run, cancelling the one before; the loop posts everything but an error. */
async function startRun(request: RunRequest): Promise<void> {
  active?.cancel();
  const loop = new RunLoop(request.id, request.settings, request.speed, request.paused ?? false, post, exclusive);
  active = loop;
  try {
    const current = await exclusive(() => requireSession('run'));
    await loop.run(current);
  } catch (error) {
    // A load that cancelled the run may also have freed its session under it.
    if (loop.isCancelled && !(error instanceof WebAssembly.RuntimeError)) post({ type: 'cancelled', id: request.id });
    else fail(request, error);
  } finally {
    if (active === loop) active = null;
  }
}

/** Answered at once; a control for a run that has ended changes nothing. */
function control(request: ControlRequest): void {
  if (active?.id === request.runId) active.control(request.action, request.speed);
  post({ type: 'ack', id: request.id });
}

/** The stage a plain `Error` from the wasm API reports as. */
function codeFor(request: WorkerRequest): ErrorCode {
  switch (request.type) {
    case 'init':
      return 'backend';
    case 'load':
    case 'loadFiles':
    case 'compileRasp':
    case 'raspLayout':
      return 'load';
    case 'predict':
    case 'raspRun':
      return 'predict';
    case 'tasks':
    case 'taskData':
      return 'task';
    case 'graph':
      return 'graph';
    case 'attention':
      return 'attention';
    case 'run':
      return 'run';
    case 'control':
      return 'bad_request';
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Instantiates the wasm module and picks the burn device, once per worker: a
 * later init answers with the first choice, whatever it prefers.
 */
function chooseBackend(prefer: BackendPreference): Promise<ReadyResponse> {
  backend ??= (async () => {
    try {
      await init();
    } catch (error) {
      throw new WorkerError('backend', `could not start the wasm module: ${messageOf(error)}`);
    }
    const chosen = await initBackend(prefer);
    const name: Backend = chosen.backend === 'webgpu' ? 'webgpu' : 'cpu';
    return { type: 'ready', id: 0, backend: name, reason: String(chosen.reason ?? '') };
  })();
  // A failed start may be retried by the next init request.
  backend.catch(() => (backend = null));
  return backend;
}

async function requireBackend(): Promise<void> {
  if (backend === null) throw new WorkerError('not_ready', 'the backend is not initialised yet (send init first)');
  await backend;
}

async function loadFromServer(request: LoadRequest): Promise<SessionInfo> {
  await requireBackend();
  if (!/^[\w.-]+$/.test(request.model)) {
    throw new WorkerError('bad_request', `not a model id: ${JSON.stringify(request.model)}`);
  }
  const base = new URL(`${import.meta.env.BASE_URL}models/${request.model}/`, self.location.href);
  const config = await fetchText(new URL('config.json', base), true);
  const tokenizer = await fetchText(new URL('tokenizer.json', base), false);
  const weights = await fetchBytes(new URL('model.safetensors', base), (bytes, total) =>
    post({ type: 'progress', id: request.id, bytes, total }),
  );
  await checkDeviceFits(weights);
  return swapSession(config ?? '', weights, tokenizer);
}

async function loadFromFiles(request: LoadFilesRequest): Promise<SessionInfo> {
  await requireBackend();
  const weights = new Uint8Array(request.weights);
  await checkDeviceFits(weights);
  return swapSession(request.config, weights, request.tokenizer ?? null);
}

/** Bytes the WebGPU device takes in one buffer (null when unknown); asked once. */
let gpuBufferLimit: Promise<number | null> | null = null;

interface GpuLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/**
 * On WebGPU, refuses (before loading) a model whose largest tensor is more than
 * one buffer of this device may hold. burn's wgpu runtime asks the adapter for
 * its own limits, not WebGPU's defaults (128 MiB per binding, less than GPT-2
 * small's 154 MB embedding), so this only fires on devices that really are that
 * small, and says what to do instead.
 */
async function checkDeviceFits(weights: Uint8Array): Promise<void> {
  if ((await backend)?.backend !== 'webgpu') return;
  const largest = largestTensor(weights);
  if (largest === null) return;
  gpuBufferLimit ??= adapterBufferLimit();
  const limit = await gpuBufferLimit;
  if (limit === null || largest.bytes <= limit) return;
  throw new WorkerError(
    'load',
    `the WebGPU device refuses this model: its largest tensor, ${largest.name} (${formatBytes(largest.bytes)} as f32), ` +
      `is more than the ${formatBytes(limit)} this device allows in one buffer. ` +
      'Reload the page with ?backend=cpu to run it on the CPU.',
  );
}

async function adapterBufferLimit(): Promise<number | null> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<{ limits: GpuLimits } | null> } }).gpu;
  try {
    const adapter = await gpu?.requestAdapter();
    if (!adapter) return null;
    return Math.min(adapter.limits.maxStorageBufferBindingSize, adapter.limits.maxBufferSize);
  } catch {
    return null;
  }
}

/** Loads a new Session; only once it loaded is the old one freed. */
function swapSession(config: string, weights: Uint8Array, tokenizer: string | null): SessionInfo {
  return adopt(Session.load(config, weights, tokenizer));
}

/** Makes `next` the loaded Session, freeing the old one. */
function adopt(next: Session): SessionInfo {
  const info: SessionInfo = next.info();
  session?.free();
  session = next;
  return info;
}

/** Compiles a RASP program; only one that compiled replaces the model (and ends the run). */
async function compileRasp(request: CompileRaspRequest): Promise<RaspCompiledResponse | RaspRejectedResponse> {
  await requireBackend();
  const compile = Session.compileRasp(request.source);
  const outcome: CompileOutcome = compile.outcome;
  const next = compile.session();
  compile.free();
  if (!outcome.ok) {
    next?.free();
    return { type: 'raspRejected', id: request.id, error: outcome.error };
  }
  if (next === undefined) throw new WorkerError('load', 'the compiled model was not handed over');
  active?.cancel();
  return { type: 'raspCompiled', id: request.id, info: adopt(next), report: outcome.report };
}

/** The loaded Session; `code` is what a missing one reports as. */
async function requireSession(code: ErrorCode): Promise<Session> {
  await requireBackend();
  if (session === null) throw new WorkerError(code, 'no model is loaded');
  return session;
}

async function tasks(): Promise<TaskInfo[]> {
  await requireBackend();
  return listTasks();
}

async function attention(request: AttentionRequest): Promise<AttentionPattern> {
  const current = await requireSession('attention');
  return current.attention(Uint32Array.from(request.ids), request.layer, request.head);
}

async function predict(request: PredictRequest): Promise<Prediction> {
  const session = await requireSession('predict');
  const prediction: unknown = await session.predict(request.prompt, request.k);
  if (!isPrediction(prediction)) {
    throw new WorkerError('predict', 'the wasm module returned a prediction of an unexpected shape');
  }
  return prediction;
}

function isPrediction(value: unknown): value is Prediction {
  if (typeof value !== 'object' || value === null) return false;
  if (!('tokens' in value) || !('top' in value)) return false;
  return Array.isArray(value.tokens) && Array.isArray(value.top);
}

/** GETs a text file; a 404 of an optional file is `null`. */
async function fetchText(url: URL, required: boolean): Promise<string | null> {
  const response = await get(url);
  if (response.status === 404 && !required) return null;
  if (!response.ok) throw fetchError(url, response);
  return response.text();
}

/** GETs a binary file, reporting `(bytes, total)` as it streams in. */
async function fetchBytes(
  url: URL,
  onProgress: (bytes: number, total: number | null) => void,
): Promise<Uint8Array> {
  const response = await get(url);
  if (!response.ok) throw fetchError(url, response);
  const length = Number(response.headers.get('content-length'));
  // A compressed body's length is not the length we will count.
  const total = length > 0 && !response.headers.get('content-encoding') ? length : null;
  if (response.body === null) return new Uint8Array(await response.arrayBuffer());

  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let reported = 0;
  onProgress(0, total);
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.byteLength;
    // Every 1% (or 256 KiB when the total is unknown) is plenty for a progress bar.
    if (bytes - reported >= (total ? total / 100 : 1 << 18)) {
      onProgress(bytes, total);
      reported = bytes;
    }
  }
  onProgress(bytes, total);

  const weights = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    weights.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return weights;
}

async function get(url: URL): Promise<Response> {
  try {
    return await fetch(url);
  } catch (error) {
    throw new WorkerError('fetch', `GET ${url.pathname}: ${messageOf(error)}`);
  }
}

function fetchError(url: URL, response: Response): WorkerError {
  return new WorkerError('fetch', `GET ${url.pathname}: ${response.status} ${response.statusText}`.trim());
}
