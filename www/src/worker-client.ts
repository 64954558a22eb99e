// The page's side of the worker protocol: one method per request, each a
// promise of its result. Ids are unique for the page's lifetime (never reused
// across worker restarts), so a late message from a dead worker matches nothing.

import { RequestError } from './errors';
import { pageTestHooks, TEST_WORKER_NAME } from './test-hooks';
import { Watchdog, WATCHDOG_FLOOR_MS } from './worker-watchdog';
import type {
  AttentionPattern,
  CompileFailure,
  CompileReport,
  CustomTask,
  CurvePoint,
  EdgeAttention,
  GraphInfo,
  GroundTruth,
  HeadLogits,
  InputRun,
  LayoutGroup,
  MetricKind,
  LogitLens,
  ModelInfo,
  Prediction,
  Roc,
  RunSettings,
  TaskData,
  TaskInfo,
  TruthOverlay,
} from './generated/wire';
import {
  isInterim,
  type AcdcData,
  type AttributedResponse,
  type AttributionProgressResponse,
  type AttributionStartedResponse,
  type BackendPreference,
  type CancelledResponse,
  type ControlRequest,
  type ErrorCode,
  type EventsResponse,
  type InterimResponse,
  type JudgedResponse,
  type PausedResponse,
  type ReadyResponse,
  type RequestBody,
  type RunDoneResponse,
  type Speed,
  type StartedResponse,
  type TerminalResponse,
  type WorkerRequest,
  type WorkerResponse,
  WORKER_ENDED,
} from './protocol';
import type { ProgressListener } from './read-body';

/** How a compile ends: the new model, or where the program is wrong (the old model stays). */
export type CompileResult = { ok: true; info: ModelInfo; report: CompileReport } | { ok: false; error: CompileFailure };

interface Pending {
  /** A load, a backend start or a run until it has started (its caches are one long call): the watchdog allows it a long silence. */
  long: boolean;
  resolve: (message: TerminalResponse) => void;
  reject: (error: RequestError) => void;
  onInterim?: (message: InterimResponse) => void;
}

/** What a run reports before it ends. */
export interface RunListener {
  started(message: StartedResponse): void;
  events(message: EventsResponse): void;
  /** The worker stopped between batches: every event before this was delivered. */
  paused(message: PausedResponse): void;
}

/** A run in flight: its id (for `control`) and how it ends. */
export interface RunHandle {
  id: number;
  end: Promise<RunDoneResponse | CancelledResponse>;
}

/** What an attribution run reports before it ends. */
export interface AttributionListener {
  started(message: AttributionStartedResponse): void;
  progress(message: AttributionProgressResponse): void;
}

/** An attribution run in flight. */
export interface AttributionHandle {
  id: number;
  end: Promise<AttributedResponse | CancelledResponse>;
}

/** A circuit's faithfulness and the edges it keeps (`JudgedResponse` without the envelope). */
export type Judged = Omit<JudgedResponse, 'type' | 'id'>;

/** More crashes than this within CRASH_WINDOW_MS and the worker stays down. */
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 30_000;

export class WorkerClient {
  private worker: Worker | null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private crashes: number[] = [];
  private readonly watchdog = new Watchdog(
    {
      ping: () => this.worker?.postMessage({ type: 'ping', id: this.nextId++ } satisfies WorkerRequest),
      waiting: () => (this.pending.size === 0 ? 'none' : [...this.pending.values()].some((p) => p.long) ? 'load' : 'request'),
      dead: (ms) => this.restart('worker_hung', `the model’s worker stopped answering (nothing for ${Math.round(ms / 1000)} s)`),
    },
    pageTestHooks()?.watchdogMs ?? WATCHDOG_FLOOR_MS,
  );

  /**
   * @param onCrash called after the worker died (`code`: how, one of WORKER_ENDED) and a fresh one was started;
   *   the fresh worker has no backend and no model until the page sends
   *   `init` and `load` again. After MAX_CRASHES in a row the worker is
   *   not restarted (a module that cannot even start would loop) and every
   *   request fails with `worker_crashed` until the page is reloaded.
   */
  constructor(private readonly onCrash: (code: ErrorCode, message: string) => void) {
    this.worker = this.spawn();
  }

  async init(prefer: BackendPreference, threads?: number): Promise<ReadyResponse> {
    const message = await this.send({ type: 'init', prefer, threads });
    if (message.type !== 'ready') throw unexpected(message);
    return message;
  }

  async load(model: string, onProgress?: ProgressListener): Promise<ModelInfo> {
    const message = await this.send({ type: 'load', model }, [], (m) => {
      if (m.type === 'progress') onProgress?.(m.bytes, m.total);
    });
    if (message.type !== 'loaded') throw unexpected(message);
    return message.info;
  }

  /** Loads user-picked files; `weights` is transferred (detached here). */
  async loadFiles(config: string, weights: ArrayBuffer, tokenizer?: string): Promise<ModelInfo> {
    const message = await this.send({ type: 'loadFiles', config, weights, tokenizer }, [weights]);
    if (message.type !== 'loaded') throw unexpected(message);
    return message.info;
  }

  async compileRasp(source: string): Promise<CompileResult> {
    const message = await this.send({ type: 'compileRasp', source });
    if (message.type === 'raspCompiled') return { ok: true, info: message.info, report: message.report };
    if (message.type === 'raspRejected') return { ok: false, error: message.error };
    throw unexpected(message);
  }

  async raspRun(source: string, input: string): Promise<InputRun> {
    const message = await this.send({ type: 'raspRun', source, input });
    if (message.type !== 'raspRun') throw unexpected(message);
    return message.run;
  }

  /** The residual layout of a shipped compiled model (its ground_truth.json). */
  async raspLayout(truth: GroundTruth): Promise<LayoutGroup[]> {
    const message = await this.send({ type: 'raspLayout', groundTruth: JSON.stringify(truth) });
    if (message.type !== 'raspLayout') throw unexpected(message);
    return message.layout;
  }

  async predict(prompt: string, k: number): Promise<Prediction> {
    const message = await this.send({ type: 'predict', prompt, k });
    if (message.type !== 'prediction') throw unexpected(message);
    return message.prediction;
  }

  async tasks(): Promise<TaskInfo[]> {
    const message = await this.send({ type: 'tasks' });
    if (message.type !== 'tasks') throw unexpected(message);
    return message.tasks;
  }

  async graph(): Promise<GraphInfo> {
    const message = await this.send({ type: 'graph' });
    if (message.type !== 'graphInfo') throw unexpected(message);
    return message.graph;
  }

  async taskData(task: string, seed: number, rows?: number): Promise<TaskData> {
    const message = await this.send({ type: 'taskData', task, seed, rows });
    if (message.type !== 'taskData') throw unexpected(message);
    return message.data;
  }

  async attention(ids: number[], layer: number, head: number): Promise<AttentionPattern> {
    const message = await this.send({ type: 'attention', ids, layer, head });
    if (message.type !== 'attention') throw unexpected(message);
    return { tokens: message.tokens, pattern: message.pattern };
  }

  /** The logit lens of a row of token ids: `k` tokens per layer and position. */
  async logitLens(ids: number[], k: number): Promise<LogitLens> {
    const message = await this.send({ type: 'logitLens', ids, k });
    if (message.type !== 'logitLens') throw unexpected(message);
    return message.lens;
  }

  /** Head `layer.head`'s direct effect on the logits: `k` promoted and suppressed tokens per position. */
  async headLogits(ids: number[], layer: number, head: number, k: number): Promise<HeadLogits> {
    const message = await this.send({ type: 'headLogits', ids, layer, head, k });
    if (message.type !== 'headLogits') throw unexpected(message);
    return message.logits;
  }

  /** The fed head's attention on `row` of the settings' data with graph edge `edge` present and removed. */
  async edgeAttention(settings: RunSettings, edge: number, row: number): Promise<EdgeAttention> {
    const message = await this.send({ type: 'edgeAttention', settings, edge, row });
    if (message.type !== 'edgeAttention') throw unexpected(message);
    return message.attention;
  }

  /** M and f of each circuit (1 per kept graph edge) on the settings' data, and M(N), M(∅). */
  async measureCircuits(
    settings: RunSettings,
    circuits: Uint8Array[],
  ): Promise<{ points: CurvePoint[]; fullMetric: number; emptyMetric: number }> {
    const message = await this.send({ type: 'measureCircuits', settings, circuits });
    if (message.type !== 'circuitsMeasured') throw unexpected(message);
    return { points: message.points, fullMetric: message.fullMetric, emptyMetric: message.emptyMetric };
  }

  /** Every edge's score by `settings.algorithm` (exact, eap, eap-ig); NaN where none. */
  async edgeScores(settings: RunSettings): Promise<Float64Array> {
    const message = await this.send({ type: 'edgeScores', settings });
    if (message.type !== 'edgeScores') throw unexpected(message);
    return message.scores;
  }

  /**
   * A finished circuit (`kept`: 1 per graph edge in it) against the loaded
   * model's ground truth, scored by the crate: counts, rates, and a verdict
   * per edge. Fails (code `graph`) when the truth names an edge the graph lacks.
   */
  async truthOverlay(kept: Uint8Array, truth: GroundTruth): Promise<TruthOverlay> {
    const message = await this.send({ type: 'truthOverlay', kept, groundTruth: JSON.stringify(truth) });
    if (message.type !== 'truthOverlay') throw unexpected(message);
    return message.overlay;
  }

  /** Starts ACDC; `listener` hears `started` and each batch of events. `custom`: a person's own rows. */
  run(settings: RunSettings, speed: Speed, paused: boolean, listener: RunListener, custom?: CustomTask): RunHandle {
    const id = this.nextId;
    const end = this.send({ type: 'run', settings, speed, paused, custom }, [], (m) => {
      if (m.type === 'started') listener.started(m);
      else if (m.type === 'events') listener.events(m);
      else if (m.type === 'paused') listener.paused(m);
    }).then((message) => {
      if (message.type !== 'done' && message.type !== 'cancelled') throw unexpected(message);
      return message;
    });
    return { id, end };
  }

  /** Starts an attribution run (exact, EAP or EAP-IG: `settings.algorithm`); steered by `control`. */
  attribute(settings: RunSettings, custom: CustomTask | undefined, paused: boolean, listener: AttributionListener): AttributionHandle {
    const id = this.nextId;
    const end = this.send({ type: 'attribute', settings, custom, paused }, [], (m) => {
      if (m.type === 'attributionStarted') listener.started(m);
      else if (m.type === 'attributionProgress') listener.progress(m);
    }).then((message) => {
      if (message.type !== 'attributed' && message.type !== 'cancelled') throw unexpected(message);
      return message;
    });
    return { id, end };
  }

  /** A person's own task as data.json (for `metric`) and as text; fails (code `task`) naming the row. */
  async customData(task: CustomTask, metric: MetricKind): Promise<{ data: AcdcData; view: TaskData }> {
    const message = await this.send({ type: 'customData', task, metric });
    if (message.type !== 'customData') throw unexpected(message);
    return { data: message.data, view: message.view };
  }

  /** The circuit cut from `scores` at `fraction` of the ADDITION edges, judged on the settings' data. */
  async judgePoint(settings: RunSettings, custom: CustomTask | undefined, scores: Float64Array, fraction: number): Promise<Judged> {
    return judged(await this.send({ type: 'judgePoint', settings, custom, scores, fraction }));
  }

  /** One circuit (`kept`: 1 per graph edge in it), judged on the settings' data. */
  async judgeCircuit(settings: RunSettings, custom: CustomTask | undefined, kept: Uint8Array): Promise<Judged> {
    return judged(await this.send({ type: 'judgeCircuit', settings, custom, kept }));
  }

  /** ROC of `scores` against a ground truth (ground_truth.json's text). */
  async roc(settings: RunSettings, custom: CustomTask | undefined, scores: Float64Array, groundTruth: string): Promise<Roc> {
    const message = await this.send({ type: 'roc', settings, custom, scores, groundTruth });
    if (message.type !== 'roc') throw unexpected(message);
    return message.roc;
  }

  /** Lets the worker start fetching `model`'s files before the backend is ready (no answer). */
  prefetch(model: string): void {
    this.worker?.postMessage({ type: 'prefetch', id: this.nextId++, model } satisfies WorkerRequest);
  }

  async control(runId: number, action: ControlRequest['action'], speed?: Speed): Promise<void> {
    const message = await this.send({ type: 'control', runId, action, speed });
    if (message.type !== 'ack') throw unexpected(message);
  }

  /** Stops the worker for good; pending requests fail. */
  dispose(): void {
    this.watchdog.stop();
    this.worker?.terminate();
    this.worker = null;
    this.failAll('worker_crashed', 'the page closed the worker');
  }

  private send(
    body: RequestBody,
    transfer: Transferable[] = [],
    onInterim?: (message: InterimResponse) => void,
  ): Promise<TerminalResponse> {
    const request: WorkerRequest = { ...body, id: this.nextId++ };
    const worker = this.worker;
    if (worker === null) {
      return Promise.reject(
        new RequestError('worker_crashed', 'the worker crashed repeatedly and was not restarted; reload the page'),
      );
    }
    const long = ['init', 'load', 'loadFiles', 'compileRasp', 'run', 'attribute'].includes(request.type);
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { long, resolve, reject, onInterim });
      worker.postMessage(request, transfer);
      this.watchdog.arm();
    });
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./worker/worker.ts', import.meta.url), {
      type: 'module',
      name: pageTestHooks() ? TEST_WORKER_NAME : 'circuitscope',
    });
    // What a replaced worker still sends (it may have been busy when terminated) is not the current one's.
    worker.addEventListener('message', (event: MessageEvent<WorkerResponse>) => this.worker === worker && this.receive(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      if (this.worker === worker) this.restart('worker_crashed', event.message || 'the worker failed to start or threw an uncaught error');
    });
    worker.addEventListener('messageerror', () => this.worker === worker && this.restart('worker_crashed', 'a worker message could not be read'));
    return worker;
  }

  private receive(message: WorkerResponse): void {
    this.watchdog.heard();
    // The worker is gone or going (a crash, a lost GPU: it may hang in its next GPU call): replace it,
    // failing every pending request, whichever request the message was for (id 0: none).
    if (message.type === 'error' && WORKER_ENDED.includes(message.code)) return this.restart(message.code, message.message);
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    if (isInterim(message)) {
      if (message.type === 'started' || message.type === 'attributionStarted') pending.long = false;
      pending.onInterim?.(message);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'error') {
      pending.reject(new RequestError(message.code, message.message));
    } else {
      pending.resolve(message);
    }
  }

  private restart(code: ErrorCode, message: string): void {
    this.watchdog.stop();
    this.worker?.terminate();
    this.failAll(code, message);
    const now = performance.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    this.worker = this.crashes.length <= MAX_CRASHES ? this.spawn() : null;
    this.onCrash(code, message);
  }

  /** False once the worker crashed too often to be restarted. */
  get alive(): boolean {
    return this.worker !== null;
  }

  private failAll(code: ErrorCode, message: string): void {
    for (const pending of this.pending.values()) {
      pending.reject(new RequestError(code, message));
    }
    this.pending.clear();
  }
}

function judged(message: TerminalResponse): Judged {
  if (message.type !== 'judged') throw unexpected(message);
  const { point, kept, fullMetric, emptyMetric } = message;
  return { point, kept, fullMetric, emptyMetric };
}

function unexpected(message: TerminalResponse): RequestError {
  return new RequestError('bad_request', `the worker answered with an unexpected "${message.type}" message`);
}
