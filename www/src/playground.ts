// <circuit-playground>: the whole app as one custom element, so the full page,
// an iframe (`?embed=1`) and a blog post's <script type=module> run the same
// code. Each element has its own shadow root (styles and ids stay inside) and
// its own worker, and starts work only once it is scrolled into view.
//
// It wires: the page state (state/page-state.ts: settings, the loaded model,
// what is in flight) to the views that show it, the views' actions to the
// model loader (models/model-loader.ts), the ACDC stage, and the controllers
// that bring in models fetched on request or compiled from RASP. It starts
// the worker, and brings a crashed one back.
// Attributes: model, task, tau, metric, ablation, seed, indices, names,
// backend, speed, autorun, prompt; `url-state` makes the URL the settings'
// projection (the app page), and compact (chrome-less) is the default
// elsewhere.

import { el } from './dom';
import { codeOf, messageOf, RequestError } from './errors';
import lessonsCss from './lessons/lessons.css?inline';
import { PageLessons } from './lessons/page-host';
import type { Loaded } from './models/model-host';
import { DEFAULT_MODEL, fetchModelIndex, isOnRequest, pickModel, type ModelEntry } from './models/model-index';
import { ModelLoader } from './models/model-loader';
import { EDITED_MODEL, RaspController } from './models/rasp-controller';
import { RemoteController, type RemoteHost } from './models/remote-controller';
import type { ErrorCode } from './protocol';
import raspCss from './rasp.css?inline';
import { readOptions, watchVisibility, type Options } from './state/element-options';
import { PageState } from './state/page-state';
import { parseSettings, withTask, type Settings } from './state/settings';
import { linkTo, readUrlSettings, writeSettingsToUrl } from './state/url-state';
import css from './styles.css?inline';
import { AcdcStage, type StageHost } from './views/acdc-stage';
import { BackendBadge } from './views/backend-badge';
import { ErrorArea } from './views/error-area';
import { ModelPicker } from './views/model-picker';
import { PromptPanel } from './views/prompt-panel';
import { isActive } from './views/run-buttons';
import { SettingsForm } from './views/settings-form';
import { StatusLine } from './views/status-line';
import { TaskPanel } from './views/task-panel';
import { WeightsInput } from './views/weights-input';
import { WorkerClient } from './worker-client';

let sheet: CSSStyleSheet | null = null;

export class CircuitPlayground extends HTMLElement {
  private readonly root = this.attachShadow({ mode: 'open' });
  private readonly state = new PageState();
  private readonly badge = new BackendBadge();
  private readonly status = new StatusLine();
  private readonly errors = new ErrorArea();
  private readonly picker = new ModelPicker((entry) => void this.pickModel(entry));
  private readonly remote = new RemoteController(this.modelHost());
  private readonly rasp = new RaspController(this.modelHost());
  private readonly weights = new WeightsInput(
    (files) => {
      this.errors.clear();
      void this.loader.loadFiles(files);
    },
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
    predicted: (prompt, prediction) => this.learn.emit({ type: 'prediction', prompt, prediction }),
  });
  /** Lessons, the inspector, and what a student did for a lesson to see (lessons/page-host.ts). */
  private readonly learn: PageLessons = new PageLessons({
    state: this.state,
    worker: () => this.worker(),
    stage: () => this.stage,
    prompt: this.prompt,
    rasp: this.rasp,
    load: (entry) => this.pickModel(entry),
    changeSettings: (patch) => this.changeSettings(patch),
    algorithms: () => this.form.algorithms(),
  });
  private readonly loader = new ModelLoader({
    client: () => this.worker(),
    state: this.state,
    status: this.status,
    picker: this.picker,
    modelChanged: () => this.prompt.clear(),
    showGraph: (graph, truth) => this.learn.showGraph(graph, truth),
    showLayout: (loaded, graph, truth) => this.rasp.showLayout(loaded, graph, truth),
    showError: (code, message, hint) => this.showError(code, message, hint),
    settleStatus: () => this.settleStatus(),
    changed: () => this.autorun(),
  });
  private stage: AcdcStage | null = null;

  private client: WorkerClient | null = null;
  private options: Options | null = null;
  private observer: { disconnect(): void } | null = null;
  private started = false;
  /** Paused by scrolling out of view (resumed by scrolling back). */
  private autoPaused = false;
  private autorunPending = false;

  constructor() {
    super();
    const { state } = this;
    state.watch(null, () => this.updateControls());
    state.watch(['tasks'], () => this.form.setTasks(state.tasks));
    state.watch(['settings'], () => this.showSettings());
    state.watch(['data'], () => {
      this.taskPanel.showData(state.data);
      this.stage?.setData(state.data);
    });
  }

  connectedCallback(): void {
    if (this.observer !== null) return;
    this.options = readOptions(this);
    const wanted = this.options.urlState ? readUrlSettings() : parseSettings((name) => this.getAttribute(name));
    this.state.update({ wanted });
    this.autorunPending = this.options.autorun;
    this.stage = new AcdcStage(this.stageHost(), this.options.speed);
    if (!this.options.compact) this.learn.attach(this.options.urlState);
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
    this.state.update({ loaded: null });
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
        this.learn.controller?.menu,
        this.badge.element,
      ),
      this.learn.controller?.slot,
      el(
        'main',
        { class: 'app-main' },
        this.status.element,
        this.errors.element,
        el('div', { class: 'workbench' }, el('aside', { class: 'sidebar' }, model, settings), stage),
        this.learn.inspector.element,
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
    void this.learn.controller?.start();
    const [ready, index] = await Promise.allSettled([this.initBackend(), fetchModelIndex()]);
    if (index.status === 'rejected') {
      this.showError('fetch', `could not read the model list: ${messageOf(index.reason)}`);
      return;
    }
    this.learn.models = index.value;
    this.picker.setModels(index.value);
    this.remote.setModels(index.value);
    this.rasp.setExamples(index.value);
    const wantedModel = this.state.wanted.model ?? null;
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
    await this.loader.load(entry);
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

  /** A shipped model picked (in the picker, or by a lesson). */
  private async pickModel(entry: ModelEntry): Promise<void> {
    this.errors.clear();
    this.remote.cancel();
    await this.loader.load(entry);
  }

  /** Returns false (after showing why) when no backend could be started. */
  private async initBackend(): Promise<boolean> {
    try {
      const ready = await this.worker().init(this.options?.backend ?? 'auto');
      this.badge.show(ready.backend, ready.reason);
      this.state.update({ backend: ready.backend });
      return true;
    } catch (error) {
      this.badge.showFailed(messageOf(error));
      this.showError(codeOf(error, 'backend'), messageOf(error));
      return false;
    }
  }

  private async loadTasks(): Promise<boolean> {
    try {
      this.state.update({ tasks: await this.worker().tasks() });
      return true;
    } catch (error) {
      this.showError(codeOf(error, 'task'), `could not list the tasks: ${messageOf(error)}`);
      return false;
    }
  }

  /** After a model change: `autorun` starts the first run once the page is ready. */
  private autorun(): void {
    if (this.autorunPending && this.state.ready) {
      this.autorunPending = false;
      this.stage?.start(false);
    }
  }

  /** A change in the form: a new task brings its default metric and τ. */
  private changeSettings(patch: Partial<Settings>): void {
    const current = this.state.settings;
    if (current === null) return;
    let next: Settings = { ...current, ...patch };
    const task = this.state.task(next.task);
    if (patch.task !== undefined && patch.task !== current.task && task) next = withTask(next, task);
    this.state.update({ settings: next });
    if (this.stage?.phase === 'done' || this.stage?.phase === 'failed') this.stage.reset();
    if (next.task !== current.task || next.seed !== current.seed) void this.loader.loadTaskData();
  }

  /** The settings' projections: the form, the task panel and (the app page) the URL. */
  private showSettings(): void {
    const settings = this.state.settings;
    if (settings === null) return;
    this.form.show(settings);
    this.taskPanel.showTask(this.state.task(settings.task));
    if (this.options?.urlState) writeSettingsToUrl(settings);
  }

  private stageHost(): StageHost {
    return {
      client: () => this.worker(),
      state: this.state,
      link: () => this.link(),
      phase: (phase) => {
        if (phase === 'starting') this.errors.clear();
        this.form.setEnabled(!isActive(phase));
        this.learn.emit({ type: 'phase', phase });
      },
      ...this.learn.stageHooks(),
      error: (stage, error) => this.showError(codeOf(error, stage === 'export' ? 'bad_request' : stage), messageOf(error)),
    };
  }

  /** The app page with these settings: this page for the app, the site's index for an embed. */
  private link(): string {
    const base = this.options?.urlState
      ? `${location.origin}${location.pathname}`
      : new URL(import.meta.env.BASE_URL, location.href).href;
    const { settings } = this.state;
    return settings ? linkTo(settings, base, this.options?.backend ?? 'auto') : base;
  }

  /**
   * The worker died and the client started a fresh one (or gave up): say so,
   * then bring the fresh worker back to where the page was, settings intact.
   */
  private onCrash(message: string): void {
    this.showError('worker_crashed', message);
    const lost = this.state.loaded;
    this.state.update({ loaded: null });
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
    else await this.loader.load(lost.entry);
  }

  /** What may be pressed now: follows the page state (and a prediction in flight). */
  private updateControls(): void {
    const { state } = this;
    this.prompt.setEnabled(state.loaded !== null && !state.busy);
    this.remote.setEnabled(state.backend !== null && !state.busy);
    this.rasp.setEnabled(state.backend !== null && !state.busy);
  }

  /** What the remote and RASP controllers may do to the page. */
  private modelHost(): RemoteHost {
    return {
      client: () => this.worker(),
      state: this.state,
      status: this.status,
      changeModel: (label, load, hint) => this.loader.change(label, load, hint),
      clearErrors: () => this.errors.clear(),
      showError: (code, message, hint) => this.showError(code, message, hint),
      updateControls: () => this.updateControls(),
      compiled: (source, ok) => this.learn.emit({ type: 'compiled', source, ok }),
      loadShipped: async () => {
        const shipped = this.picker.entry(DEFAULT_MODEL) ?? this.picker.entry(this.picker.selectedId);
        if (shipped && !isOnRequest(shipped)) await this.loader.load(shipped);
      },
    };
  }

  /** After an action ends: ready if a model is usable, failed otherwise. */
  private settleStatus(): void {
    const { loaded } = this.state;
    if (this.state.busy || this.prompt.busy) return;
    if (loaded) this.status.set('ready', `Ready: ${loaded.entry.id}${loaded.source ? ` (${loaded.source})` : ''}`);
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
    sheet.replaceSync(css + raspCss + lessonsCss);
  }
  return sheet;
}
