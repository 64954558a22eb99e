// The ACDC stage of the playground: the run controls and counts (`controls`,
// placed by the page), and (`element`) the live explanation, the graph, the
// metric chart and the selected head's attention side by side, the
// ground-truth overlay once a run on a model with a known circuit is done,
// the previous run to compare with, the exports and the circuit as text. It
// runs what the page state's settings say and keeps a copy of the settings
// each run started with: the explanation, the tooltips and the chart describe
// the run shown, whatever the form says now. It reports back its phase, a
// line for the status and its errors; the settings stay the page's.
// When the settings name an attribution method, the run buttons steer the
// attribution side (attribution-stage.ts), which paints the same graph.

import { el } from '../dom';
import { MetricChart } from '../charts/metric-chart';
import { formatTau } from '../charts/format';
import type { RunContext } from '../explain/narrate';
import type { Circuit, DrawnBox, GraphInfo, GroundTruth, TaskData } from '../generated/wire';
import { GraphView } from '../graph/graph-view';
import type { Speed } from '../protocol';
import { RunController } from '../state/run-controller';
import type { RunState } from '../state/run-state';
import { CUSTOM_TASK } from '../state/custom-task';
import { acdcSettings, type Settings } from '../state/settings';
import { AttributionStage } from './attribution-stage';
import { AttentionView } from './attention-view';
import { CircuitList } from './circuit-list';
import { Explanation } from './explanation';
import { ResultsBar } from './results-bar';
import { RunButtons, type RunPhase } from './run-buttons';
import { RunCompare } from './run-compare';
import { RunStats } from './run-stats';
import { TruthOverlayView } from './truth-overlay';
import { StageExports } from './stage-exports';
import type { StageHost } from './stage-host';
import { StageRestore } from './stage-restore';
import { attributionIntro, curveOf, doneStatus, isCircuit, noticeOf, phaseStatus } from './stage-words';

export type { StageHost } from './stage-host';

export class AcdcStage {
  private readonly buttons: RunButtons;
  private readonly stats = new RunStats();
  private readonly chart = new MetricChart();
  private readonly explanation = new Explanation();
  /** A clicked head's attention (a lesson sets the row it is shown on: `override`). */
  readonly attention = new AttentionView();
  private readonly circuitList = new CircuitList();
  private readonly overlay = new TruthOverlayView();
  private readonly compare = new RunCompare();
  /** The graph (a lesson marks boxes and edges on it). */
  readonly graphView: GraphView;
  private readonly results: ResultsBar;
  private readonly exports: StageExports;
  private readonly run: RunController;
  private readonly attribution: AttributionStage;
  private readonly kept = new StageRestore();
  /** Which kind of run the buttons steer: the last one started. */
  private mode: 'acdc' | 'attribution' = 'acdc';
  private readonly unwatch: () => void;
  /** Run, Step, Reset, speed and the counts: the page puts them where they fit. */
  readonly controls: HTMLElement;
  readonly element: HTMLElement;

  private graph: GraphInfo | null = null;
  /** The model's known circuit (compiled models only): ground_truth.json. */
  private truth: GroundTruth | null = null;
  /** The settings the shown run started with (null: no run shown). */
  private runSettings: Settings | null = null;

  constructor(
    private readonly host: StageHost,
    speed: Speed,
  ) {
    this.run = new RunController(() => host.client(), this.runView(), speed);
    this.buttons = new RunButtons({
      run: () => this.start(false),
      pause: () => this.pause(),
      resume: () => this.resume(),
      step: () => this.step(),
      reset: () => {
        this.reset();
        this.attribution.clear();
      },
      speed: (s) => this.run.setSpeed(s),
    });
    this.buttons.speed = speed;
    this.graphView = new GraphView(
      (box) => void this.showAttention(box, true),
      () => this.context()?.ablation ?? 'resample',
    );
    this.graphView.onSelectEdge = (edge) => host.edgeChosen?.(edge);
    this.attribution = new AttributionStage({
      client: () => host.client(),
      state: host.state,
      graphView: this.graphView,
      phase: (phase) => {
        if (this.mode === 'attribution') this.showPhase(phase);
      },
      error: (stage, error) => host.error(stage, error),
      changeSettings: (patch) => host.changeSettings?.(patch),
    });
    this.exports = new StageExports({
      styled: () => this.element,
      view: this.graphView,
      state: () => this.run.state,
      circuit: () => this.run.circuit,
      error: (error) => host.error('export', error),
    });
    this.results = new ResultsBar({
      json: () => this.exports.json(),
      svg: () => this.exports.svg(),
      png: () => void this.exports.png(),
      link: () => host.link(),
    });
    this.controls = el('div', { class: 'run-bar', 'data-testid': 'run-bar' }, this.buttons.element, this.stats.element);
    this.element = el(
      'div',
      { class: 'stage', 'data-testid': 'stage', id: 'stage' },
      this.explanation.element,
      el('div', { class: 'stage-main' }, this.graphView.element, el('div', { class: 'stage-side' }, this.chart.element, this.attention.element)),
      this.attribution.element,
      this.overlay.element,
      this.compare.element,
      this.results.element,
      this.circuitList.element,
    );
    this.explanation.message('Loading the model…');
    this.showPhase('idle');
    this.unwatch = host.state.watch(null, () => this.refresh());
  }

  get phase(): RunPhase {
    return this.mode === 'attribution' ? this.attribution.phase : this.run.phase;
  }

  get active(): boolean {
    return this.mode === 'attribution' ? this.attribution.active : this.run.active;
  }

  /** The τ of the run shown (null: none). */
  get runTau(): number | null {
    return this.runSettings?.tau ?? null;
  }

  /** The Run button, for the skip link and for focus after a RASP compile. */
  focusRun(): void {
    this.buttons.focus();
  }

  /** The run shown (null: none), and its circuit.json once it is done. */
  get runState(): RunState | null {
    return this.run.state;
  }

  get circuit(): Circuit | null {
    return this.run.phase === 'done' && isCircuit(this.run.circuit) ? this.run.circuit : null;
  }

  /** One more step of the run going (starting a paused run when none is), as "Step one edge" does. */
  step(): void {
    if (this.mode === 'attribution' && this.attribution.active) this.attribution.step();
    else if (this.mode === 'acdc' && this.run.active) this.run.step();
    else this.start(true);
  }

  setSpeed(speed: Speed): void {
    this.buttons.speed = speed;
    this.run.setSpeed(speed);
  }

  /** Shows a head's attention as a click on it does (without counting as the student's click). */
  openHead(layer: number, head: number): void {
    const box = this.graph?.layout.boxes.find((b) => b.key === `head:${layer}:${head}`);
    if (box) void this.showAttention(box, false);
  }

  /**
   * A new model (or none): its graph, with the crate's layout, and its ground
   * truth if it has one (a compiled model's); any run is dropped, the
   * previous one too (it was another graph).
   */
  setGraph(graph: GraphInfo | null, truth: GroundTruth | null = null): void {
    this.run.reset();
    this.attribution.setGraph(graph, truth);
    this.graph = graph;
    this.truth = graph ? truth : null;
    this.runSettings = null;
    this.kept.forget();
    this.compare.setPrevious(null);
    this.chart.setPrevious(null);
    void this.showTruth(null);
    if (graph) {
      this.graphView.setGraph(graph);
      this.graphView.setState(null);
      this.showIdle();
    } else {
      this.explanation.message('No model is loaded.');
    }
    this.graphView.select(null);
    this.attention.clear();
  }

  setData(data: TaskData | null): void {
    this.attention.row = data?.clean[0] ?? null;
  }

  /** The page's readiness or settings changed: refresh the buttons, and what depends on the settings. */
  refresh(): void {
    this.showPhase(this.phase);
    if (this.mode === 'acdc' && this.run.phase === 'idle' && this.run.state === null && this.graph && !this.showKept()) this.showIdle();
    this.showNotice();
  }

  start(paused: boolean): void {
    const { settings } = this.host.state;
    if (!this.host.state.ready || settings === null) return;
    if (settings.algorithm !== 'acdc') {
      this.mode = 'attribution';
      this.run.reset();
      this.runSettings = null;
      this.explanation.message(attributionIntro(settings.algorithm));
      this.attribution.start(paused);
      return;
    }
    this.mode = 'acdc';
    this.kept.drop();
    this.attribution.reset();
    this.showPhase(this.run.phase);
    this.graphView.setScores(null);
    const done = this.run.state;
    if (done?.status?.done && this.runSettings) {
      this.compare.setPrevious({
        state: done,
        tau: this.runSettings.tau,
        metric: this.runSettings.metric,
        svg: this.exports.svgOf(done, true) ?? '',
      });
      this.chart.setPrevious(curveOf(done, this.runSettings), `previous, τ ${formatTau(this.runSettings.tau)}`);
    }
    this.runSettings = settings;
    this.graphView.setTipContext(this.context());
    this.graphView.setDone(false);
    this.results.setCircuit(false);
    this.circuitList.clear();
    void this.showTruth(null);
    this.explanation.message('Measuring the full model on the clean and the corrupted prompts…');
    this.run.start(acdcSettings(settings), paused, settings.task === CUSTOM_TASK ? this.host.state.custom : undefined);
    if (paused) this.run.step();
    this.showNotice();
  }

  pause(): void {
    const phase = this.phase;
    if (phase !== 'running' && phase !== 'starting') return;
    if (this.mode === 'attribution') this.attribution.pause();
    else this.run.pause();
  }

  resume(): void {
    const phase = this.phase;
    if (phase !== 'paused' && phase !== 'pausing') return;
    if (this.mode === 'attribution') this.attribution.resume();
    else this.run.resume();
  }

  /** Drops the run (cancelling it) and shows the untouched graph; the previous run stays to compare with. */
  reset(): void {
    this.kept.drop();
    this.attribution.reset();
    this.run.reset();
    this.runSettings = null;
    this.graphView.setDone(false);
    this.graphView.setState(null);
    this.results.setCircuit(false);
    this.circuitList.clear();
    void this.showTruth(null);
    this.compare.compare(null, 0);
    this.showIdle();
    this.showNotice();
  }

  /** Stops for good (the element left the page). */
  dispose(): void {
    this.unwatch();
    this.run.cancel();
    this.attribution.dispose();
  }

  /** The settings the run shown used, else the page's (what a run would use now). */
  private context(): RunContext | null {
    const settings = this.runSettings ?? this.host.state.settings;
    if (this.graph === null || settings === null) return null;
    return { graph: this.graph, metric: settings.metric, tau: settings.tau, ablation: settings.ablation };
  }

  /** No run: the untouched graph, the counts at zero, the introduction. */
  private showIdle(): void {
    const ctx = this.context();
    if (this.graph === null) return;
    this.stats.showGraph(this.graph.counts.edges, ctx?.metric ?? null);
    this.chart.show(null, ctx?.metric ?? 'kl', ctx?.tau ?? null);
    this.graphView.setTipContext(ctx);
    if (ctx) this.explanation.showIntro(ctx);
    else this.explanation.message('Loading the task…');
  }

  /** The run shown used another τ (or other settings) than the form says now: offer to re-run. */
  private showNotice(): void {
    const shown = this.runSettings;
    const now = this.host.state.settings;
    const notice = shown && now && this.run.state ? noticeOf(shown, now, this.run.active) : null;
    const restored = notice === null ? this.kept.notice : null;
    const again = restored === null ? undefined : { label: 'Run again', run: () => this.start(false), testid: 'run-again' };
    this.explanation.setNotice(notice?.text ?? restored, notice ? { label: notice.label, run: () => this.start(false), testid: 'rerun' } : again);
  }

  /** The circuit kept for these settings (a reload, the model loaded again after a crash), shown as done; false: none. */
  private showKept(): boolean {
    const { settings, data, ready } = this.host.state;
    if (!ready || this.graph === null || settings === null || data === null) return false;
    const kept = this.kept.take(this.host.state);
    if (kept === null) return false;
    this.runSettings = settings;
    this.graphView.setTipContext(this.context());
    this.run.restore(this.graph, kept, data);
    return true;
  }

  private runView() {
    return {
      phase: (phase: RunPhase) => {
        if (this.mode === 'acdc') this.showPhase(phase);
      },
      started: (state: RunState, data: TaskData) => {
        this.attention.row = data.clean[0] ?? this.attention.row;
        this.graphView.setState(state);
        this.frame(state);
      },
      frame: (state: RunState) => this.frame(state),
      done: (state: RunState) => {
        this.frame(state);
        this.graphView.setDone(true);
        this.results.setCircuit(true);
        this.circuitList.show(state);
        const ctx = this.context();
        if (ctx) this.explanation.showSummary(ctx, state);
        this.compare.compare(state, this.runSettings?.tau ?? 0);
        this.host.status(doneStatus(this.context(), state));
        void this.showTruth(state);
        const { settings } = this.host.state;
        if (settings) this.attribution.acdcDone(state, settings);
        this.kept.keep(this.host.state, this.run.finished());
      },
      failed: (error: unknown) => this.host.error('run', error),
    };
  }

  private frame(state: RunState): void {
    const settings = this.runSettings;
    this.stats.show(state, settings?.metric ?? null);
    if (settings) this.chart.show(curveOf(state, settings), settings.metric, settings.tau);
    this.graphView.redraw();
    const ctx = this.context();
    if (ctx && !state.status?.done) this.explanation.showRun(ctx, state, this.run.phase === 'paused' || this.run.phase === 'pausing');
    this.host.frame?.();
  }

  /** The ground-truth overlay for a finished run's circuit (null: none), scored by the crate in the worker. */
  private showTruth(state: RunState | null): Promise<void> {
    return this.overlay.checkRun(state, this.truth, (kept, truth) => this.host.client().truthOverlay(kept, truth), (v) => this.graphView.setTruth(v));
  }

  private showPhase(phase: RunPhase = this.phase): void {
    const changed = this.element.dataset.phase !== phase;
    this.buttons.show(phase, this.host.state.ready);
    this.element.dataset.phase = phase;
    this.controls.dataset.phase = phase;
    // ACDC's counters and metric chart mean nothing to an attribution run: the styles hide them.
    this.element.dataset.mode = this.controls.dataset.mode = this.mode;
    this.host.phase(phase);
    if (!changed) return;
    this.showNotice();
    const status = phaseStatus(this.mode, phase, this.context());
    if (status !== undefined) this.host.status(status);
    if (this.mode === 'attribution') return;
    const state = this.run.state;
    const ctx = this.context();
    if ((phase === 'paused' || phase === 'pausing') && state && ctx) this.explanation.showRun(ctx, state, true);
  }

  /** A head's box was chosen: its attention pattern on the first clean row. */
  private async showAttention(box: DrawnBox, byUser: boolean): Promise<void> {
    const { label, layer, head } = box;
    this.graphView.select(box);
    if (head === null) return;
    if (byUser) this.host.chosen?.(box);
    await this.attention.showHead(label, (row) => this.host.client().attention(row, layer, head)).catch((error) => this.host.error('attention', error));
  }
}
