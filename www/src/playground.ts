// <circuit-playground>: the whole app as one custom element, so the full page,
// an iframe (`?embed=1`) and a blog post's <script type=module> run the same
// code. Each element has its own shadow root (styles and ids stay inside) and
// its own worker, and starts work only once it is scrolled into view.
//
// It owns the page state — the Settings, which model is loaded, what is in
// flight — and wires the views to the worker client; the views only render.
// Models fetched on request and models compiled from RASP come in through
// their own controllers (remote-controller.ts, rasp-controller.ts).
// Attributes: model, task, tau, metric, ablation, seed, indices, names,
// backend, speed, autorun, prompt; `url-state` makes the URL the settings'
// projection (the app page), and compact (chrome-less) is the default
// elsewhere.

import { AcdcStage } from './views/acdc-stage';
import { el } from './dom';
import { codeOf, messageOf, RequestError } from './errors';
import type { Loaded } from './models/model-host';
import { DEFAULT_MODEL, fetchGroundTruth, fetchModelIndex, fetchModelTexts, isOnRequest, pickModel, type ModelEntry } from './models/model-index';
import { readOptions, watchVisibility, type Options } from './state/element-options';
import type { Backend, ErrorCode } from './protocol';
import { EDITED_MODEL, RaspController } from './models/rasp-controller';
import { RemoteController, type RemoteHost } from './models/remote-controller';
import { completeSettings, modelTask, parseSettings, pickTask, withTask, type Settings } from './state/settings';
import { linkTo, readUrlSettings, writeSettingsToUrl } from './state/url-state';
import css from './styles.css?inline';
import raspCss from './rasp.css?inline';
import type { TaskData, TaskInfo } from './generated/wire';
import { BackendBadge } from './views/backend-badge';
import { ErrorArea } from './views/error-area';
import { ModelPicker } from './views/model-picker';
import { PromptPanel } from './views/prompt-panel';
import type { RunPhase } from './views/run-buttons';
import { SettingsForm } from './views/settings-form';
import { StatusLine } from './views/status-line';
import { TaskPanel } from './views/task-panel';
import { WeightsInput, type PickedFiles } from './views/weights-input';
import { WorkerClient } from './worker-client';

let sheet: CSSStyleSheet | null = null;

export class CircuitPlayground extends HTMLElement {
  private readonly root = this.attachShadow({ mode: 'open' });
  private readonly badge = new BackendBadge();
  private readonly status = new StatusLine();
  private readonly errors = new ErrorArea();
  private readonly picker = new ModelPicker((entry) => {
    this.errors.clear();
    this.remote.cancel();
    void this.loadModel(entry);
  });
  private readonly remote = new RemoteController(this.modelHost());
  private readonly rasp = new RaspController(this.modelHost());
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
    const model = el('div', { class: 'panel' }, this.picker.element, this.weights.element, this.remote.element);
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
        this.rasp.element,
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
    this.remote.setModels(index.value);
    this.rasp.setExamples(index.value);
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
    // A link to a program edited in the page: the editor's saved text (else the default model).
    if (wantedModel === EDITED_MODEL && (await this.rasp.compileSaved())) return;
    await this.loadModel(entry);
    const onRequest = index.value.find((m) => m.id === wantedModel && isOnRequest(m));
    if (onRequest) {
      await this.remote.open(onRequest);
    } else if (wantedModel !== null && wantedModel !== entry.id && wantedModel !== EDITED_MODEL) {
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
   * Runs a load; on success it becomes the current model, on failure (or
   * null: nothing to load) the old one stays. `hint` may replace the error's
   * usual hint.
   */
  private async changeModel(
    label: string,
    load: () => Promise<Loaded | null>,
    hint: (error: unknown) => string | undefined = () => undefined,
  ): Promise<void> {
    this.loads++;
    this.updateControls();
    this.status.set('loading', label);
    try {
      const loaded = await load();
      if (loaded === null) return;
      this.loaded = loaded;
      this.picker.show(loaded.entry);
      this.picker.showInfo(loaded.info, loaded.source);
      this.prompt.clear();
      await this.showModel(loaded);
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

  /**
   * The loaded model's graph (with its ground truth, if it has one), the
   * settings made whole for it (with its own task when it asks for one or
   * cannot run the current one), and its task data.
   */
  private async showModel(loaded: Loaded): Promise<void> {
    const { entry, truth, task: ownTask } = loaded;
    this.hasGraph = false;
    this.stage?.setGraph(null);
    const graph = await this.worker().graph();
    const shipped = truth ? null : await fetchGroundTruth(entry).catch(() => null);
    this.stage?.setGraph(graph, truth ?? shipped);
    await this.rasp.showLayout(loaded, graph, truth ?? shipped);
    this.hasGraph = true;
    const base: Partial<Settings> = this.settings ?? this.wanted;
    const own = this.tasks.find((t) => t.name === (ownTask ?? modelTask(this.settings, entry.config.tasks)));
    const task = own ?? pickTask(this.tasks, base.task, entry.config.tasks);
    if (base.task !== undefined && task?.name !== base.task && !own) {
      this.showError('task', `unknown task "${base.task}"; showing ${task?.name ?? 'none'} instead`);
    }
    const complete = completeSettings(base, entry.id, task);
    this.settings = own ? withTask(complete, own) : complete;
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
    let next: Settings = { ...current, ...patch };
    const task = this.tasks.find((t) => t.name === next.task);
    if (patch.task !== undefined && patch.task !== current.task && task) next = withTask(next, task);
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
        this.form.setEnabled(!(phase === 'starting' || phase === 'running' || phase === 'pausing' || phase === 'paused'));
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
    this.remote.setEnabled(this.backend !== null && this.loads === 0);
    this.rasp.setEnabled(this.backend !== null && this.loads === 0);
    this.stage?.refresh();
  }

  /** What the remote and RASP controllers may do to the page. */
  private modelHost(): RemoteHost {
    return {
      client: () => this.worker(),
      status: this.status,
      changeModel: (label, load, hint) => this.changeModel(label, load, hint),
      busy: () => this.loads > 0,
      clearErrors: () => this.errors.clear(),
      showError: (code, message, hint) => this.showError(code, message, hint),
      updateControls: () => this.updateControls(),
      backend: () => this.backend,
      currentId: () => this.loaded?.entry.id ?? null,
      loadShipped: async () => {
        const shipped = this.picker.entry(DEFAULT_MODEL) ?? this.picker.entry(this.picker.selectedId);
        if (shipped && !isOnRequest(shipped)) await this.loadModel(shipped);
      },
    };
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
    sheet.replaceSync(css + raspCss);
  }
  return sheet;
}

