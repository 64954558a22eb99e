// <circuit-playground>: the whole app as one custom element, so the full page,
// an iframe (`?embed=1`) and a blog post's <script type=module> run the same
// code. Each element has its own shadow root (styles and ids stay inside) and
// its own worker, and starts work only once it is scrolled into view.
//
// It owns the page state — the Settings, which model is loaded, what is in
// flight — and wires the views to the worker client; the views only render.
// Attributes: model, task, tau, metric, ablation, seed, indices, names,
// backend, speed, autorun, prompt; `url-state` makes the URL the settings'
// projection (the app page), and compact (chrome-less) is the default
// elsewhere.

import { AcdcStage } from './acdc-stage';
import { el } from './dom';
import { DEFAULT_MODEL, fetchModelIndex, fetchModelTexts, isOnRequest, pickModel, type ModelEntry } from './models';
import { readOptions, watchVisibility, type Options } from './element-options';
import type { Backend, ErrorCode, SessionInfo } from './protocol';
import { DownloadError, fetchWeights, forgetCached, isCached } from './remote-weights';
import { completeSettings, parseSettings, pickTask, type Settings } from './settings';
import { linkTo, readUrlSettings, writeSettingsToUrl } from './url-state';
import css from './styles.css?inline';
import type { TaskData, TaskInfo } from './wasm-types';
import { BackendBadge } from './views/backend-badge';
import { ErrorArea } from './views/error-area';
import { ModelPicker } from './views/model-picker';
import { PromptPanel } from './views/prompt-panel';
import { RemoteModelPanel, type RemoteModelActions } from './views/remote-model';
import type { RunPhase } from './views/run-buttons';
import { SettingsForm } from './views/settings-form';
import { StatusLine } from './views/status-line';
import { TaskPanel } from './views/task-panel';
import { WeightsInput, type PickedFiles } from './views/weights-input';
import { RequestError, WorkerClient } from './worker-client';

/** The model the worker holds, and where its weights came from. */
interface Loaded {
  entry: ModelEntry;
  info: SessionInfo;
  /** A file name or host when the weights did not come with the page; undefined for the shipped ones. */
  source?: string;
  /** How to load it again in a fresh worker (default: the shipped model `entry`). */
  reload?: () => Promise<void>;
}

/** Hints for a model fetched on request. */
const REMOTE_HINTS = {
  fetch:
    'The download failed; the current model is still loaded. Check the URL and the connection, or pick a local copy of the safetensors file.',
  cancelled: 'The current model is still loaded.',
  webgpu:
    'The WebGPU device may have refused the model’s buffers (GPT-2 small’s 154 MB embedding is more than WebGPU’s default 128 MiB per binding). Reload the page with ?backend=cpu to run it on the CPU. The current model is still loaded.',
};

let sheet: CSSStyleSheet | null = null;

export class CircuitPlayground extends HTMLElement {
  private readonly root = this.attachShadow({ mode: 'open' });
  private readonly badge = new BackendBadge();
  private readonly status = new StatusLine();
  private readonly errors = new ErrorArea();
  private readonly picker = new ModelPicker((entry) => {
    this.errors.clear();
    this.download?.abort();
    void this.loadModel(entry);
  });
  /** Models fetched on request (GPT-2 small): one panel each, under the picker. */
  private remotePanels: RemoteModelPanel[] = [];
  private readonly remoteHost = el('div', { class: 'remote-models' });
  /** The download in progress, if any. */
  private download: AbortController | null = null;
  private backend: Backend | null = null;
  private readonly weights = new WeightsInput(
    (files) => void this.loadFiles(files),
    (names) => this.showError('load', `no weights file among ${names.join(', ')}; pick a .safetensors file`),
  );
  private readonly form = new SettingsForm((patch) => this.changeSettings(patch));
  private readonly taskPanel = new TaskPanel();
  private readonly prompt = new PromptPanel({
    client: () => this.worker(),
    status: this.status,
    error: (code, message) => this.showError(code, message),
    started: () => this.errors.clear(),
    settled: () => this.updateControls(),
  });
  private stage: AcdcStage | null = null;

  private client: WorkerClient | null = null;
  private options: Options | null = null;
  private observer: { disconnect(): void } | null = null;
  private started = false;
  /** Paused by scrolling out of view (resumed by scrolling back). */
  private autoPaused = false;
  private autorunPending = false;

  private loaded: Loaded | null = null;
  private tasks: TaskInfo[] = [];
  /** What the attributes or URL asked for, until the first model makes it whole. */
  private wanted: Partial<Settings> = {};
  private settings: Settings | null = null;
  private data: TaskData | null = null;
  private hasGraph = false;
  /** Requests in flight that change the model or its data. */
  private loads = 0;

  connectedCallback(): void {
    if (this.observer !== null) return;
    this.options = readOptions(this);
    this.wanted = this.options.urlState ? readUrlSettings() : parseSettings((name) => this.getAttribute(name));
    this.autorunPending = this.options.autorun;
    this.stage = new AcdcStage(this.stageHost(), this.options.speed);
    this.root.adoptedStyleSheets = [styleSheet()];
    this.root.replaceChildren(this.render(this.options.compact));
    this.prompt.value = this.getAttribute('prompt') ?? '';
    this.updateControls();
    this.status.set('starting', 'Waiting to be scrolled into view…');
    this.observer = watchVisibility(this, (visible) => this.onVisibility(visible));
  }

  disconnectedCallback(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.stage?.dispose();
    this.client?.dispose();
    this.client = null;
    this.started = false;
    this.loaded = null;
  }

  private render(compact: boolean): HTMLElement {
    const stage = this.stage?.element ?? el('div');
    this.form.taskSlot.replaceChildren(this.taskPanel.element);
    const settings = el('div', { class: 'panel settings-panel' }, this.form.element);
    const model = el('div', { class: 'panel' }, this.picker.element, this.weights.element, this.remoteHost);
    if (compact) {
      return el(
        'div',
        { class: 'app compact' },
        el('div', { class: 'compact-bar' }, el('strong', {}, 'Circuitscope'), this.badge.element, this.status.element),
        this.errors.element,
        stage,
        el('details', { class: 'compact-settings' }, el('summary', {}, 'Model and settings'), model, settings),
      );
    }
    return el(
      'div',
      { class: 'app' },
      el(
        'header',
        { class: 'app-header' },
        el('h1', {}, 'Circuitscope'),
        el('p', { class: 'tagline' }, 'Watch ACDC find the circuit of a small transformer, in your browser.'),
        this.badge.element,
      ),
      el(
        'main',
        { class: 'app-main' },
        this.status.element,
        this.errors.element,
        el('div', { class: 'workbench' }, el('aside', { class: 'sidebar' }, model, settings), stage),
        this.prompt.element,
      ),
    );
  }

  private onVisibility(visible: boolean): void {
    if (visible && !this.started) {
      // The worker (and the wasm module it downloads) only for a playground someone looks at.
      this.started = true;
      this.client = new WorkerClient((message) => this.onCrash(message));
      void this.start();
    }
    if (!visible && this.stage && (this.stage.phase === 'running' || this.stage.phase === 'starting')) {
      this.stage.pause();
      this.autoPaused = true;
    } else if (visible && this.autoPaused) {
      this.autoPaused = false;
      this.stage?.resume();
    }
  }

  /** Chooses the backend and reads the model index and tasks, then loads a model. */
  private async start(): Promise<void> {
    this.status.set('starting', 'Starting the model worker…');
    const [ready, index] = await Promise.allSettled([this.initBackend(), fetchModelIndex()]);
    if (index.status === 'rejected') {
      this.showError('fetch', `could not read the model list: ${messageOf(index.reason)}`);
      return;
    }
    this.picker.setModels(index.value);
    this.setRemoteModels(index.value);
    const wantedModel = this.wanted.model ?? null;
    const entry = pickModel(index.value, wantedModel);
    if (entry === undefined) {
      this.showError(
        'fetch',
        'no models found in /models/index.json',
        'Add a folder models/<id>/ with config.json and model.safetensors at the repository root.',
      );
      return;
    }
    this.picker.show(entry);
    if (!(ready.status === 'fulfilled' && ready.value)) return;
    if (!(await this.loadTasks())) return;
    await this.loadModel(entry);
    const onRequest = index.value.find((m) => m.id === wantedModel && isOnRequest(m));
    if (onRequest) {
      await this.openOnRequest(onRequest);
    } else if (wantedModel !== null && wantedModel !== entry.id) {
      this.showError(
        'fetch',
        `unknown model "${wantedModel}"`,
        `It is not among the shipped models (${index.value.map((m) => m.id).join(', ')}); showing ${entry.id} (the default is ${DEFAULT_MODEL}). Pick another model, or load your own weights.`,
      );
    }
  }

  /** Returns false (after showing why) when no backend could be started. */
  private async initBackend(): Promise<boolean> {
    try {
      const ready = await this.worker().init(this.options?.backend ?? 'auto');
      this.badge.show(ready.backend, ready.reason);
      this.backend = ready.backend;
      this.updateControls();
      return true;
    } catch (error) {
      this.badge.showFailed(messageOf(error));
      this.showError(codeOf(error, 'backend'), messageOf(error));
      return false;
    }
  }

  private async loadTasks(): Promise<boolean> {
    try {
      this.tasks = await this.worker().tasks();
      this.form.setTasks(this.tasks);
      return true;
    } catch (error) {
      this.showError(codeOf(error, 'task'), `could not list the tasks: ${messageOf(error)}`);
      return false;
    }
  }

  private async loadModel(entry: ModelEntry): Promise<void> {
    await this.changeModel(`Loading ${entry.id}…`, async () => {
      const info = await this.worker().load(entry.id, (bytes, total) =>
        this.status.progress(`Downloading ${entry.id} weights`, bytes, total ?? entry.weightsBytes),
      );
      return { entry, info };
    });
  }

  /** Weights from disk, with the current model's config and tokenizer unless picked too. */
  private async loadFiles(files: PickedFiles): Promise<void> {
    this.errors.clear();
    const entry = this.loaded?.entry ?? this.picker.entry(this.picker.selectedId);
    if (entry === undefined) {
      this.showError('load', 'pick a model first: its config.json says how to read the weights');
      return;
    }
    await this.changeModel(`Loading ${files.weights.name}…`, async () => {
      const shipped = files.config && (files.tokenizer || !entry.hasTokenizer) ? null : await fetchModelTexts(entry);
      const config = files.config ? await files.config.text() : (shipped?.config ?? '');
      const tokenizer = files.tokenizer ? await files.tokenizer.text() : shipped?.tokenizer;
      const weights = await files.weights.arrayBuffer();
      const info = await this.worker().loadFiles(config, weights, tokenizer);
      return { entry, info, source: files.weights.name };
    });
  }

  /**
   * Runs a load; on success it becomes the current model, on failure the old one stays.
   * `hint` may replace the error's usual hint.
   */
  private async changeModel(
    label: string,
    load: () => Promise<Loaded>,
    hint: (error: unknown) => string | undefined = () => undefined,
  ): Promise<void> {
    this.loads++;
    this.updateControls();
    this.status.set('loading', label);
    try {
      const loaded = await load();
      this.loaded = loaded;
      this.picker.show(loaded.entry);
      this.picker.showInfo(loaded.info, loaded.source);
      this.prompt.clear();
      await this.showModel(loaded.entry);
    } catch (error) {
      this.showError(codeOf(error, 'load'), messageOf(error), hint(error));
      if (this.loaded) {
        this.picker.show(this.loaded.entry);
        this.picker.showInfo(this.loaded.info, this.loaded.source);
      }
    } finally {
      this.loads--;
      this.updateControls();
      this.settleStatus();
    }
    if (this.autorunPending && this.ready()) {
      this.autorunPending = false;
      this.stage?.start(false);
    }
  }

  /** One panel per model whose weights are fetched on request, with its cache state. */
  private setRemoteModels(index: ModelEntry[]): void {
    const actions: RemoteModelActions = {
      load: (entry, url) => void this.loadRemote(entry, { url }),
      loadFile: (entry, file) => void this.loadRemote(entry, { file }),
      cancel: () => this.download?.abort(),
      forget: (entry, url) => void this.forget(entry, url),
      urlChanged: (entry, url) => void this.showCached(entry, url),
    };
    this.remotePanels = index.filter(isOnRequest).map((entry) => new RemoteModelPanel(entry, actions));
    this.remoteHost.replaceChildren(...this.remotePanels.map((p) => p.element));
    for (const panel of this.remotePanels) void this.showCached(panel.entry, panel.currentUrl);
    this.updateControls();
  }

  private remotePanel(entry: ModelEntry): RemoteModelPanel | undefined {
    return this.remotePanels.find((p) => p.entry.id === entry.id);
  }

  private async showCached(entry: ModelEntry, url: string, note = ''): Promise<void> {
    const cached = await isCached(url).catch(() => false);
    this.remotePanel(entry)?.showCached(cached, note);
  }

  private async forget(entry: ModelEntry, url: string): Promise<void> {
    const forgotten = await forgetCached(url).catch(() => false);
    await this.showCached(entry, url, forgotten ? 'The cached copy was deleted.' : '');
  }

  /**
   * A link asked for a model fetched on request: from the cache if it is there
   * (nothing leaves the machine), else a message that says how to load it.
   */
  private async openOnRequest(entry: ModelEntry): Promise<void> {
    const url = this.remotePanel(entry)?.currentUrl ?? entry.remote?.url ?? '';
    if (await isCached(url).catch(() => false)) {
      await this.loadRemote(entry, { url }, true);
      return;
    }
    this.showError(
      'fetch',
      `${entry.name} is loaded only on request`,
      `Its weights are not part of this page. Press "Load ${entry.name}" in the model panel to fetch them, or pick a local copy; until then this is ${this.loaded?.entry.id ?? 'no model'}.`,
    );
  }

  /**
   * Loads a model fetched on request: the weights from `source` (a URL, read
   * from the cache when it has them, or a local file), config.json and
   * tokenizer.json from the model's folder. A failed or cancelled download
   * leaves the current model in place; a file that is not a checkpoint is not
   * kept in the cache.
   */
  private async loadRemote(entry: ModelEntry, source: { url: string } | { file: File }, cacheOnly = false): Promise<void> {
    const panel = this.remotePanel(entry);
    if (this.loads > 0 && this.download === null) return;
    this.errors.clear();
    this.download?.abort();
    const controller = new AbortController();
    this.download = controller;
    panel?.setDownloading(true);
    const url = 'url' in source ? source.url : null;
    const load = async (): Promise<Loaded> => {
      // In parallel with the weights: small, and from this page's own server.
      const texts = fetchModelTexts(entry);
      texts.catch(() => undefined);
      let weights: ArrayBuffer;
      let from: string;
      if ('file' in source) {
        weights = await source.file.arrayBuffer();
        panel?.received(weights.byteLength, 'file');
        from = source.file.name;
      } else {
        if (!/^https?:\/\//.test(source.url)) throw new DownloadError(`not an http(s) URL: ${JSON.stringify(source.url)}`);
        const got = await fetchWeights(source.url, {
          signal: controller.signal,
          cacheOnly,
          onProgress: (bytes, total, fromCache) => {
            panel?.progress(bytes, total, fromCache);
            const label = fromCache ? `Reading ${entry.name} from the browser cache` : `Downloading ${entry.name}`;
            this.status.progress(label, bytes, total ?? entry.remote?.bytes ?? null);
          },
        });
        weights = got.bytes;
        panel?.received(weights.byteLength, got.fromCache ? 'cache' : 'network');
        panel?.showCached(got.cached, got.cacheError ? `(Not cached: ${got.cacheError}.)` : '');
        from = `${new URL(source.url).host}${got.fromCache ? ', cached' : ''}`;
      }
      const { config, tokenizer } = await texts;
      if (controller.signal.aborted) throw new DownloadError('the download was cancelled', true);
      // The worker holds the old model until this one has loaded.
      this.download = null;
      panel?.setDownloading(false);
      this.status.set('loading', `Loading ${entry.name} (${megabytes(weights.byteLength)}) into the model…`);
      const info = await this.worker().loadFiles(config, weights, tokenizer);
      const reload = async () => {
        const again = url !== null && (await isCached(url).catch(() => false));
        if (again) await this.loadRemote(entry, { url }, true);
        else {
          const shipped = this.picker.entry(DEFAULT_MODEL) ?? this.picker.entry(this.picker.selectedId);
          if (shipped && !isOnRequest(shipped)) await this.loadModel(shipped);
        }
      };
      return { entry, info, source: from, reload };
    };
    const hint = (error: unknown): string | undefined => {
      if (error instanceof DownloadError) return error.cancelled ? REMOTE_HINTS.cancelled : REMOTE_HINTS.fetch;
      if (this.backend === 'webgpu' && !/^(config|tokenizer|weights):/.test(messageOf(error))) return REMOTE_HINTS.webgpu;
      return undefined;
    };
    await this.changeModel(`Loading ${entry.name}…`, load, (error) => {
      if (error instanceof DownloadError) panel?.failed(messageOf(error));
      else if (url !== null && /^weights: not a valid safetensors file/.test(messageOf(error))) {
        // Not a safetensors file at all (an HTML page, a truncated file): do not keep it.
        void forgetCached(url).then(() => this.showCached(entry, url));
      }
      return hint(error);
    });
    if (this.download === controller) this.download = null;
    panel?.setDownloading(false);
    this.updateControls();
  }

  /** The loaded model's graph, the settings made whole for it, and its task data. */
  private async showModel(entry: ModelEntry): Promise<void> {
    this.hasGraph = false;
    this.stage?.setGraph(null);
    const graph = await this.worker().graph();
    this.stage?.setGraph(graph);
    this.hasGraph = true;
    const base: Partial<Settings> = this.settings ?? this.wanted;
    const task = pickTask(this.tasks, base.task, entry.config.tasks);
    if (base.task !== undefined && task?.name !== base.task) {
      this.showError('task', `unknown task "${base.task}"; showing ${task?.name ?? 'none'} instead`);
    }
    this.settings = completeSettings(base, entry.id, task);
    this.showSettings();
    await this.loadTaskData();
  }

  private async loadTaskData(): Promise<void> {
    const settings = this.settings;
    this.data = null;
    this.taskPanel.showData(null);
    this.stage?.setData(null);
    if (settings === null) return;
    try {
      const data = await this.worker().taskData(settings.task, settings.seed);
      if (settings !== this.settings) return;
      this.data = data;
      this.taskPanel.showData(data);
      this.stage?.setData(data);
    } catch (error) {
      this.showError(codeOf(error, 'task'), messageOf(error));
    } finally {
      this.stage?.refresh();
    }
  }

  /** A change in the form: a new task brings its default metric and τ. */
  private changeSettings(patch: Partial<Settings>): void {
    const current = this.settings;
    if (current === null) return;
    const next: Settings = { ...current, ...patch };
    const task = this.tasks.find((t) => t.name === next.task);
    if (patch.task !== undefined && patch.task !== current.task && task) {
      next.metric = task.defaultMetric;
      next.tau = task.defaultTau;
    }
    this.settings = next;
    this.showSettings();
    if (this.stage?.phase === 'done' || this.stage?.phase === 'failed') this.stage.reset();
    if (next.task !== current.task || next.seed !== current.seed) void this.loadTaskData();
  }

  private showSettings(): void {
    const settings = this.settings;
    if (settings === null) return;
    this.form.show(settings);
    this.taskPanel.showTask(this.tasks.find((t) => t.name === settings.task));
    if (this.options?.urlState) writeSettingsToUrl(settings);
  }

  private ready(): boolean {
    return this.loaded !== null && this.hasGraph && this.data !== null && this.loads === 0;
  }

  private stageHost() {
    return {
      client: () => this.worker(),
      settings: (): Settings => {
        if (this.settings === null) throw new RequestError('not_ready', 'no settings yet');
        return this.settings;
      },
      ablation: () => this.settings?.ablation ?? 'resample',
      ready: () => this.ready(),
      link: () => this.link(),
      phase: (phase: RunPhase) => {
        if (phase === 'starting') this.errors.clear();
        this.form.setEnabled(!(phase === 'starting' || phase === 'running' || phase === 'paused'));
      },
      error: (stage: 'run' | 'attention' | 'export', error: unknown) =>
        this.showError(codeOf(error, stage === 'export' ? 'bad_request' : stage), messageOf(error)),
    };
  }

  /** The app page with these settings: this page for the app, the site's index for an embed. */
  private link(): string {
    const base = this.options?.urlState
      ? `${location.origin}${location.pathname}`
      : new URL(import.meta.env.BASE_URL, location.href).href;
    return this.settings ? linkTo(this.settings, base, this.options?.backend ?? 'auto') : base;
  }

  /**
   * The worker died and the client started a fresh one (or gave up): say so,
   * then bring the fresh worker back to where the page was, settings intact.
   */
  private onCrash(message: string): void {
    this.showError('worker_crashed', message);
    const lost = this.loaded;
    this.loaded = null;
    this.updateControls();
    // Let the failed requests' handlers run first, so that they do not
    // overwrite the status of the recovery.
    setTimeout(() => void this.recover(lost), 0);
  }

  private async recover(lost: Loaded | null): Promise<void> {
    if (!this.client?.alive) {
      this.badge.showFailed('the worker is down');
      this.settleStatus();
      return;
    }
    if (!((await this.initBackend()) && (await this.loadTasks()) && lost)) return;
    if (lost.reload) await lost.reload();
    else await this.loadModel(lost.entry);
  }

  private updateControls(): void {
    this.prompt.setEnabled(this.loaded !== null && this.loads === 0);
    for (const panel of this.remotePanels) panel.setEnabled(this.backend !== null && this.loads === 0);
    this.stage?.refresh();
  }

  /** After an action ends: ready if a model is usable, failed otherwise. */
  private settleStatus(): void {
    if (this.loads > 0 || this.prompt.busy) return;
    if (this.loaded) this.status.set('ready', `Ready: ${this.loaded.entry.id}${this.loaded.source ? ` (${this.loaded.source})` : ''}`);
    else this.status.set('failed', 'No model loaded');
  }

  private showError(code: ErrorCode, message: string, hint?: string): void {
    this.errors.show(code, message, hint);
    this.settleStatus();
  }

  private worker(): WorkerClient {
    if (this.client === null) throw new RequestError('not_ready', 'the playground is not attached to a page');
    return this.client;
  }
}

function styleSheet(): CSSStyleSheet {
  if (sheet === null) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  return sheet;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The protocol code of a failed request; `fallback` for errors raised on this side. */
function codeOf(error: unknown, fallback: ErrorCode): ErrorCode {
  if (error instanceof DownloadError) return 'fetch';
  return error instanceof RequestError ? error.code : fallback;
}
