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
// backend, speed, autorun, prompt, show; `url-state` makes the URL the
// settings' projection (the app page), and compact (chrome-less) is the
// default elsewhere. A person's own task (state/custom-task.ts) is the task
// `custom`, kept in localStorage and, while chosen, in the URL.
// Where each part goes: page-layout.ts.

import { el } from './dom';
import { pageLayout } from './page-layout';
import { listTasks, prefetchModel, recover, startBackend, type StartupHost } from './page-startup';
import { codeOf, messageOf, RequestError } from './errors';
import { PageLessons } from './lessons/page-host';
import { DEFAULT_MODEL, fetchModelIndex, isOnRequest, pickModel, unknownModelHint, type ModelEntry } from './models/model-index';
import { dataInputs, ModelLoader } from './models/model-loader';
import { pageSettled } from './offline/register';
import { EDITED_MODEL, RaspController } from './models/rasp-controller';
import { RemoteController, type RemoteHost } from './models/remote-controller';
import type { ErrorCode } from './protocol';
import { readOptions, watchVisibility, type Options } from './state/element-options';
import { CUSTOM_TASK } from './state/custom-task';
import { initialCustomTask, storeCustomTask, writeCustomTaskToUrl } from './state/custom-task-store';
import { PageState } from './state/page-state';
import { parseSettings, withTask, type Settings } from './state/settings';
import { appLink, readUrlSettings, writeSettingsToUrl } from './state/url-state';
import { pageStyleSheet } from './styles';
import { AcdcStage, type StageHost } from './views/acdc-stage';
import { BackendBadge } from './views/backend-badge';
import { CustomTaskEditor } from './views/custom-task';
import { ErrorArea } from './views/error-area';
import { ModelPicker } from './views/model-picker';
import { PromptPanel } from './views/prompt-panel';
import { isActive } from './views/run-buttons';
import { SettingsForm } from './views/settings-form';
import { readyText, StatusLine } from './views/status-line';
import { TaskPanel } from './views/task-panel';
import { WeightsInput } from './views/weights-input';
import { WorkerClient } from './worker-client';

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
  private readonly customEditor = new CustomTaskEditor({
    client: () => this.worker(),
    state: this.state,
    changeSettings: (patch) => this.changeSettings(patch),
  });

  private client: WorkerClient | null = null;
  private options: Options | null = null;
  private observer: { disconnect(): void } | null = null;
  private started = false;
  /** Paused by scrolling out of view (resumed by scrolling back). */
  private autoPaused = false;
  private autorunPending = false;
  /** What the status line says of the run (null: "Ready: model"). */
  private runStatus: string | null = null;

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
    state.watch(['custom'], () => {
      storeCustomTask(state.custom);
      if (state.settings?.task !== CUSTOM_TASK) return;
      this.showSettings();
      if (this.stage?.phase === 'done' || this.stage?.phase === 'failed') this.stage.reset();
      void this.loader.loadTaskData();
    });
  }

  connectedCallback(): void {
    if (this.observer !== null) return;
    this.options = readOptions(this);
    const wanted = this.options.urlState ? readUrlSettings() : parseSettings((name) => this.getAttribute(name));
    this.state.update({ wanted, custom: initialCustomTask(this.options.urlState) });
    this.autorunPending = this.options.autorun;
    this.stage = new AcdcStage(this.stageHost(), this.options.speed);
    if (!this.options.compact) this.learn.attach(this.options.urlState);
    this.root.adoptedStyleSheets = [pageStyleSheet()];
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
    this.form.taskSlot.replaceChildren(this.taskPanel.element);
    return pageLayout({
      compact,
      show: this.options?.show ?? new Set(),
      stage: this.stage?.element ?? el('div'),
      controls: this.stage?.controls ?? el('div'),
      settings: [this.form.lock, this.form.element],
      model: this.picker.element,
      others: [this.weights.element, this.remote.element],
      status: this.status.element,
      badge: this.badge.element,
      errors: this.errors.element,
      lessonMenu: this.learn.controller?.menu,
      lessonSlot: this.learn.controller?.slot,
      below: [this.customEditor.element, this.learn.inspector.element, this.rasp.element, this.prompt.element],
      focusRun: () => this.stage?.focusRun(),
    });
  }

  private onVisibility(visible: boolean): void {
    // The worker (and the wasm module it downloads) only for a playground someone looks at.
    if (visible) void this.start();
    if (!visible && this.stage && (this.stage.phase === 'running' || this.stage.phase === 'starting')) {
      this.stage.pause();
      this.autoPaused = true;
    } else if (visible && this.autoPaused) {
      this.autoPaused = false;
      this.stage?.resume();
    }
  }

  /** Starts the worker (once), chooses the backend and reads the model index and tasks, then loads a model. */
  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.client = new WorkerClient((code, message) => this.onCrash(code, message));
    this.status.set('starting', 'Starting the model worker…');
    void this.learn.controller?.start();
    const wanted = this.state.wanted.model ?? null;
    const models = fetchModelIndex().then((list) => prefetchModel(this.startup(), list, wanted, EDITED_MODEL));
    const [ready, index] = await Promise.allSettled([startBackend(this.startup()), models]);
    if (index.status === 'rejected') {
      this.showError('fetch', `could not read the model list: ${messageOf(index.reason)}`);
      return;
    }
    this.learn.models = index.value;
    this.picker.setModels(index.value);
    this.remote.setModels(index.value);
    this.rasp.setExamples(index.value);
    const entry = pickModel(index.value, wanted);
    if (entry === undefined) {
      const hint = 'Add a folder models/<id>/ with config.json and model.safetensors at the repository root.';
      this.showError('fetch', 'no models found in /models/index.json', hint);
      return;
    }
    this.picker.show(entry);
    if (!(ready.status === 'fulfilled' && ready.value)) return;
    if (!(await listTasks(this.startup()))) return;
    // A link to a program edited in the page: the editor's saved text (else the default model).
    if (wanted === EDITED_MODEL && (await this.rasp.compileSaved())) return;
    await this.loader.load(entry);
    const onRequest = index.value.find((m) => m.id === wanted && isOnRequest(m));
    if (onRequest) await this.remote.open(onRequest);
    else if (wanted !== null && wanted !== entry.id && wanted !== EDITED_MODEL) {
      this.showError('fetch', `unknown model "${wanted}"`, unknownModelHint(index.value, entry));
    }
  }

  /** A shipped model picked (in the picker, or by a lesson). */
  private async pickModel(entry: ModelEntry): Promise<void> {
    this.errors.clear();
    this.remote.cancel();
    await this.loader.load(entry);
  }

  private startup(): StartupHost {
    return {
      worker: () => this.worker(),
      state: this.state,
      badge: this.badge,
      options: this.options,
      showError: (code, message) => this.showError(code, message),
    };
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
    // A finished run stays on screen (the stage offers to re-run it with the new settings); a failed one goes.
    if (this.stage?.phase === 'failed') this.stage.reset();
    const custom = this.state.custom;
    if (dataInputs(next, custom) !== dataInputs(current, custom)) void this.loader.loadTaskData();
  }

  /** The settings' projections: the form, the task panel, τ's run note and (the app page) the URL. */
  private showSettings(): void {
    const settings = this.state.settings;
    if (settings === null) return;
    this.form.show(settings);
    this.taskPanel.showTask(this.state.task(settings.task));
    if (this.options?.urlState) {
      writeSettingsToUrl(settings);
      writeCustomTaskToUrl(settings.task === CUSTOM_TASK ? this.state.custom : null);
    }
    this.showTauRun();
  }

  private stageHost(): StageHost {
    return {
      client: () => this.worker(),
      state: this.state,
      link: () => this.link(),
      phase: (phase) => {
        if (phase === 'starting') this.errors.clear();
        const active = isActive(phase);
        // τ stays free during a run: a new τ is offered as a re-run, beside it and above the graph.
        this.form.setEnabled(!active, true);
        this.form.lock.hidden = !active;
        this.showTauRun();
        this.updateControls();
        this.learn.emit({ type: 'phase', phase });
      },
      status: (text) => {
        this.runStatus = text;
        this.settleStatus();
      },
      ...this.learn.stageHooks(),
      error: (stage, error) => this.showError(codeOf(error, stage === 'export' ? 'bad_request' : stage), messageOf(error)),
      changeSettings: (patch) => this.changeSettings(patch),
    };
  }

  /** Beside τ: the τ of the run shown and whether it is still going, and a re-run at the τ chosen. */
  private showTauRun(): void {
    const stage = this.stage;
    if (stage === null) return;
    this.form.tau.showRun(stage.runTau, stage.active, () => stage.start(false));
  }

  /** The RASP panel's "Run ACDC": runs on the compiled model and brings the graph into view. */
  private runFromRasp(): void {
    const stage = this.stage;
    if (stage === null || !this.state.ready) return;
    stage.start(false);
    stage.controls.scrollIntoView({ block: 'start', behavior: 'smooth' });
    stage.focusRun();
  }

  /** The app page with these settings: this page for the app, the site's index for an embed. */
  private link(): string {
    const { settings } = this.state;
    const custom = settings?.task === CUSTOM_TASK ? this.state.custom : null;
    return appLink(settings, custom, this.options?.urlState ?? false, this.options?.backend ?? 'auto');
  }

  /**
   * The worker died and the client started a fresh one (or gave up): say so,
   * then bring the fresh worker back to where the page was, settings intact.
   */
  private onCrash(code: ErrorCode, message: string): void {
    this.showError(code, message);
    const lost = this.state.loaded;
    this.state.update({ loaded: null });
    const reload = lost && (() => (lost.reload ? lost.reload() : this.loader.load(lost.entry)));
    // After the failed requests' handlers, so that they do not overwrite the status of the recovery.
    setTimeout(() => void recover(this.startup(), this.client?.alive ?? false, reload, () => this.settleStatus(), code === 'gpu_lost'), 0);
  }

  /** What may be pressed now: follows the page state (and a prediction in flight). */
  private updateControls(): void {
    const { state } = this;
    this.prompt.setEnabled(state.loaded !== null && !state.busy);
    this.remote.setEnabled(state.backend !== null && !state.busy);
    this.rasp.setEnabled(state.backend !== null && !state.busy);
    this.rasp.setRunEnabled(state.ready && !(this.stage?.active ?? false));
    this.customEditor.setEnabled(state.loaded !== null && !state.busy);
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
      runAcdc: () => this.runFromRasp(),
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
    const active = this.stage?.active ?? false;
    if (loaded) this.status.set('ready', readyText(loaded, this.runStatus, active));
    else this.status.set('failed', 'No model loaded');
    if (loaded && !active && !this.autorunPending) pageSettled();
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
