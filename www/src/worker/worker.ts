/// <reference lib="webworker" />
// The module Web Worker that owns the wasm module and the current model
// (docs/worker-protocol.md). The page never blocks: it only sends requests
// (protocol.ts) and renders answers. This file dispatches them; each concern
// has its own file: the device (backend.ts), the loaded Session and the lock
// (session.ts), loading models (load.ts, gpu-limits.ts), RASP (rasp.ts),
// the ACDC loop (acdc-run.ts), the attribution loop (attribution-run.ts),
// judging circuits (judge.ts) and a person's own rows (run-data.ts).
//
// Wasm calls run one at a time, in arrival order (`exclusive`). An ACDC run
// takes the lock once per batch, so other requests (an attention pattern, a
// prediction) are served between batches; `control` requests never wait for
// the lock. A new model cancels the run.

import { codeOf, messageOf, RequestError } from '../errors';
import { DEFAULT_RUN_SETTINGS, type AttentionPattern, type Prediction, type TaskData, type TruthOverlay } from '../generated/wire';
import type {
  AttributeRequest,
  ControlRequest,
  ErrorCode,
  PingRequest,
  PrefetchRequest,
  PredictRequest,
  RunRequest,
  TaskDataRequest,
  TruthOverlayRequest,
  WorkerRequest,
  WorkerResponse,
} from '../protocol';
import { AcdcLoop } from './acdc-run';
import { AttributionLoop } from './attribution-run';
import { dropJudge, judgeCircuit, judgePoint, roc } from './judge';
import { customData } from './run-data';
import { chooseBackend, gpuLost, requireBackend, wasmMemory, watchGpuDevice } from './backend';
import { exposeTestHooks } from './test-hooks';
import { loadFromFiles, loadFromServer, prefetch } from './load';
import { edgeAttention, edgeScores, headLogits, logitLens, measureCircuits } from './inspect';
import { compileRasp, layoutOf, runInput } from './rasp';
import { exclusive, requireSession } from './session';
import { wasm } from './wasm';

declare const self: DedicatedWorkerGlobalScope;

/** A trap with the wasm heap at least this large is taken for an out-of-memory (the limit is 4 GiB). */
const OUT_OF_MEMORY_BYTES = 3.5 * 2 ** 30;

// A lost device is told at once, for no request (id 0): the page restarts the
// worker instead of waiting for answers that a lost device may never give.
watchGpuDevice((reason) => post({ type: 'error', id: 0, code: 'gpu_lost', message: `the GPU device was lost (${reason})` }));
exposeTestHooks();

// An uncaught error ends the worker. A trap inside an async wasm call lands
// here rather than in its request's promise: say how the worker ended (a
// crash, an out-of-memory, a lost GPU), for no request, then close.
self.addEventListener('error', (event) => {
  event.preventDefault();
  post({ type: 'error', id: 0, ...failure(event.error ?? event.message, true, 'bad_request') });
  self.close();
});

/** The run in progress, ACDC or attribution, if any (one per worker). */
let active: AcdcLoop | AttributionLoop | null = null;

self.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  switch (request.type) {
    case 'control':
      control(request);
      return;
    case 'ping':
      post({ type: 'pong', id: request.id });
      return;
    case 'prefetch':
      prefetch(request.model);
      return;
    case 'run':
      void startRun(request, new AcdcLoop(request.id, request.settings, request.speed, request.paused ?? false, post, exclusive, request.custom));
      return;
    case 'attribute':
      void startRun(request, new AttributionLoop(request.id, request.settings, request.custom, request.paused ?? false, post, exclusive));
      return;
    case 'load':
    case 'loadFiles':
      // The run belongs to the model being replaced, and so does the judge.
      active?.cancel();
      void exclusive(dropJudge);
      break;
  }
  void exclusive(() => handle(request));
});

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/** Answers one request (under the lock) with its one terminal message. */
async function handle(request: Exclude<WorkerRequest, RunRequest | AttributeRequest | ControlRequest | PingRequest | PrefetchRequest>): Promise<void> {
  try {
    switch (request.type) {
      case 'init':
        post({ ...(await chooseBackend(request.prefer, request.threads)), id: request.id });
        return;
      case 'load': {
        const progress = (bytes: number, total: number | null) => post({ type: 'progress', id: request.id, bytes, total });
        post({ type: 'loaded', id: request.id, info: await loadFromServer(request, progress) });
        return;
      }
      case 'loadFiles':
        post({ type: 'loaded', id: request.id, info: await loadFromFiles(request) });
        return;
      case 'compileRasp':
        // A program that compiles is the model now: the run belonged to the old one.
        post(
          await compileRasp(request, () => {
            active?.cancel();
            dropJudge();
          }),
        );
        return;
      case 'raspRun':
        post({ type: 'raspRun', id: request.id, run: await runInput(request) });
        return;
      case 'raspLayout':
        post({ type: 'raspLayout', id: request.id, layout: await layoutOf(request) });
        return;
      case 'predict':
        post({ type: 'prediction', id: request.id, prediction: await predict(request) });
        return;
      case 'tasks':
        await requireBackend();
        post({ type: 'tasks', id: request.id, tasks: wasm().listTasks() });
        return;
      case 'graph':
        post({ type: 'graphInfo', id: request.id, graph: (await requireSession('graph')).graph() });
        return;
      case 'taskData':
        post({ type: 'taskData', id: request.id, data: await taskData(request) });
        return;
      case 'attention': {
        const session = await requireSession('attention');
        const pattern: AttentionPattern = await session.attention(Uint32Array.from(request.ids), request.layer, request.head);
        post({ type: 'attention', id: request.id, ...pattern });
        return;
      }
      case 'truthOverlay':
        post({ type: 'truthOverlay', id: request.id, overlay: await truthOverlay(request) });
        return;
      case 'customData': {
        const { data, view } = customData(await requireSession('task'), request.task, request.metric);
        post({ type: 'customData', id: request.id, data, view });
        return;
      }
      case 'judgePoint':
        post({ type: 'judged', id: request.id, ...(await judgePoint(await requireSession('judge'), request)) });
        return;
      case 'judgeCircuit':
        post({ type: 'judged', id: request.id, ...(await judgeCircuit(await requireSession('judge'), request)) });
        return;
      case 'roc':
        post({ type: 'roc', id: request.id, roc: await roc(await requireSession('judge'), request) });
        return;
      case 'logitLens':
        post({ type: 'logitLens', id: request.id, lens: await logitLens(request) });
        return;
      case 'headLogits':
        post({ type: 'headLogits', id: request.id, logits: await headLogits(request) });
        return;
      case 'edgeAttention':
        post({ type: 'edgeAttention', id: request.id, attention: await edgeAttention(request) });
        return;
      case 'measureCircuits':
        post({ type: 'circuitsMeasured', id: request.id, ...(await measureCircuits(request)) });
        return;
      case 'edgeScores': {
        const scores = await edgeScores(request);
        post({ type: 'edgeScores', id: request.id, scores }, [scores.buffer]);
        return;
      }
    }
  } catch (error) {
    fail(request, error);
  }
}

/** Posts the request's one `error`; after a wasm trap, closes the worker. */
function fail(request: WorkerRequest, error: unknown): void {
  const crashed = error instanceof WebAssembly.RuntimeError;
  post({ type: 'error', id: request.id, ...failure(error, crashed, codeFor(request)) });
  // A wasm trap (a Rust panic) leaves the module's memory in an unknown state:
  // stop here and let the page start a fresh worker.
  if (crashed) self.close();
}

/** What a failure is: after a lost GPU device, that; after a trap, a crash or (the heap near full) an out-of-memory. */
function failure(error: unknown, crashed: boolean, stage: ErrorCode): { code: ErrorCode; message: string } {
  const lost = gpuLost();
  if (lost !== null) return { code: 'gpu_lost', message: `the GPU device was lost (${lost}): ${messageOf(error)}` };
  if (!crashed) return { code: codeOf(error, stage), message: messageOf(error) };
  const heap = wasmMemory()?.buffer.byteLength ?? 0;
  if (heap < OUT_OF_MEMORY_BYTES) return { code: 'worker_crashed', message: messageOf(error) };
  const gib = (heap / 2 ** 30).toFixed(1);
  return { code: 'out_of_memory', message: `the model ran out of memory: its wasm heap had grown to ${gib} GiB of the browser’s 4 GiB (the module aborted: ${messageOf(error)})` };
}

/** Starts a run (ACDC or attribution), cancelling the one before; the loop posts everything but an error. */
async function startRun(request: RunRequest | AttributeRequest, loop: AcdcLoop | AttributionLoop): Promise<void> {
  active?.cancel();
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
    case 'prefetch':
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
    case 'customData':
      return 'task';
    case 'judgePoint':
    case 'judgeCircuit':
    case 'roc':
      return 'judge';
    case 'graph':
    case 'truthOverlay':
      return 'graph';
    case 'attention':
      return 'attention';
    case 'logitLens':
    case 'headLogits':
    case 'edgeAttention':
    case 'measureCircuits':
    case 'edgeScores':
      return 'inspect';
    case 'run':
    case 'attribute':
      return 'run';
    case 'control':
    case 'ping':
      return 'bad_request';
  }
}

async function predict(request: PredictRequest): Promise<Prediction> {
  const session = await requireSession('predict');
  const prediction: unknown = await session.predict(request.prompt, request.k);
  if (!isPrediction(prediction)) {
    throw new RequestError('predict', 'the wasm module returned a prediction of an unexpected shape');
  }
  return prediction;
}

function isPrediction(value: unknown): value is Prediction {
  if (typeof value !== 'object' || value === null) return false;
  if (!('tokens' in value) || !('top' in value)) return false;
  return Array.isArray(value.tokens) && Array.isArray(value.top);
}

/** The data a run with the task's defaults and this seed would read. */
async function taskData(request: TaskDataRequest): Promise<TaskData> {
  const session = await requireSession('task');
  return session.taskData({ ...DEFAULT_RUN_SETTINGS, task: request.task, rows: request.rows ?? null, seed: request.seed });
}

/** A finished circuit against a ground truth, scored by the crate (`Session.truthOverlay`). */
async function truthOverlay(request: TruthOverlayRequest): Promise<TruthOverlay> {
  const session = await requireSession('graph');
  return session.truthOverlay(request.kept, request.groundTruth);
}
