// The ACDC stage of the playground: run buttons, live numbers, the graph, the
// metric curve, the attention of a clicked head, the exports, and (for a model
// with a known circuit) the ground-truth overlay once a run is done, scored by
// the crate in the worker. It runs what the page state's settings say and
// reports back only its phase and its errors; the settings stay the page's.

import { el } from '../dom';
import { messageOf } from '../errors';
import type { Circuit, DrawnBox, GraphInfo, GroundTruth, TaskData } from '../generated/wire';
import { download, graphSvg, svgToPng } from '../graph/export';
import { GraphView } from '../graph/graph-view';
import type { Speed } from '../protocol';
import { RunController } from '../state/run-controller';
import type { RunState } from '../state/run-state';
import type { PageState } from '../state/page-state';
import { acdcSettings } from '../state/settings';
import { AttentionView } from './attention-view';
import { CircuitList } from './circuit-list';
import { MetricChart } from './metric-chart';
import { ResultsBar } from './results-bar';
import { RunButtons, type RunPhase } from './run-buttons';
import { RunStats } from './run-stats';
import { TruthOverlayView } from './truth-overlay';
import type { WorkerClient } from '../worker-client';

export interface StageHost {
  client(): WorkerClient;
  /** The settings a run takes, and whether one may start (`ready`); the stage refreshes on each change. */
  readonly state: PageState;
  /** The link "Copy link" copies. */
  link(): string;
  phase(phase: RunPhase): void;
  error(stage: 'run' | 'attention' | 'export', error: unknown): void;
  /** A head was clicked (or chosen with the keyboard) on the graph. */
  chosen?(box: DrawnBox): void;
  /** An edge was clicked on the graph. */
  edgeChosen?(edge: number): void;
  /** A run's events were drawn. */
  frame?(): void;
}

export class AcdcStage {
  private readonly buttons: RunButtons;
  private readonly stats = new RunStats();
  private readonly chart = new MetricChart();
  private readonly attention = new AttentionView();
  private readonly circuitList = new CircuitList();
  private readonly overlay = new TruthOverlayView();
  private readonly graphView: GraphView;
  private readonly results: ResultsBar;
  private readonly run: RunController;
  private readonly unwatch: () => void;
  readonly element: HTMLElement;

  private graph: GraphInfo | null = null;
  /** The model's known circuit (compiled models only): ground_truth.json. */
  private truth: GroundTruth | null = null;
  /** The first clean row, whose attention a clicked head shows. */
  private row: number[] | null = null;
  /** A row shown in its place (a lesson's prompt). */
  private rowOverride: number[] | null = null;
  private attentionRequest = 0;
  /** Counts overlay requests: only the latest one's answer is shown. */
  private truthRequest = 0;

  constructor(
    private readonly host: StageHost,
    speed: Speed,
  ) {
    this.run = new RunController(() => host.client(), this.runView(), speed);
    this.buttons = new RunButtons({
      run: () => this.start(false),
      pause: () => this.run.pause(),
      resume: () => this.run.resume(),
      step: () => (this.run.active ? this.run.step() : this.start(true)),
      reset: () => this.reset(),
      speed: (s) => this.run.setSpeed(s),
    });
    this.buttons.speed = speed;
    this.graphView = new GraphView(
      (box) => void this.showAttention(box, true),
      // The settings' ablation is the shown run's: settings are fixed while it runs.
      () => host.state.settings?.ablation ?? 'resample',
    );
    this.graphView.onSelectEdge = (edge) => host.edgeChosen?.(edge);
    this.results = new ResultsBar({
      json: () => this.exportJson(),
      svg: () => this.exportSvg(),
      png: () => void this.exportPng(),
      link: () => host.link(),
    });
    this.element = el(
      'div',
      { class: 'stage', 'data-testid': 'stage' },
      el('div', { class: 'run-bar' }, this.buttons.element, this.stats.element),
      this.graphView.element,
      this.overlay.element,
      el('div', { class: 'stage-row' }, this.chart.element, this.attention.element),
      this.results.element,
      this.circuitList.element,
    );
    this.showPhase('idle');
    this.unwatch = host.state.watch(null, () => this.refresh());
  }

  get phase(): RunPhase {
    return this.run.phase;
  }

  get active(): boolean {
    return this.run.active;
  }

  /** The run shown (null: none), and its circuit.json once it is done. */
  get runState(): RunState | null {
    return this.run.state;
  }

  get circuit(): Circuit | null {
    const circuit = this.run.circuit;
    return this.run.phase === 'done' && isCircuit(circuit) ? circuit : null;
  }

  get graphInfo(): GraphInfo | null {
    return this.graph;
  }

  /** Tests exactly one more edge (starting a paused run when none is going), as "Step one edge" does. */
  step(): void {
    if (this.run.active) this.run.step();
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

  /** Marks boxes and edges on the graph (a lesson's feedback). */
  highlight(boxes: readonly string[], edges: readonly number[]): void {
    this.graphView.highlight(boxes, edges);
  }

  /** The row a clicked head's attention is shown on (null: the first clean row). */
  setRow(ids: number[] | null): void {
    this.rowOverride = ids;
  }

  /**
   * A new model (or none): its graph, with the crate's layout, and its ground
   * truth if it has one (a compiled model's); any run is dropped.
   */
  setGraph(graph: GraphInfo | null, truth: GroundTruth | null = null): void {
    this.run.reset();
    this.graph = graph;
    this.truth = graph ? truth : null;
    void this.showTruth(null);
    if (graph) {
      this.graphView.setGraph(graph);
      this.stats.showGraph(graph.counts.edges);
      this.chart.clear(graph.counts.edges);
    }
    this.graphView.select(null);
    this.attention.clear();
  }

  setData(data: TaskData | null): void {
    this.row = data?.clean[0] ?? null;
  }

  /** The page's readiness or settings changed: refresh the buttons. */
  refresh(): void {
    this.showPhase(this.run.phase);
  }

  start(paused: boolean): void {
    const { settings } = this.host.state;
    if (!this.host.state.ready || settings === null) return;
    this.graphView.setDone(false);
    this.results.setCircuit(false);
    this.circuitList.clear();
    void this.showTruth(null);
    this.run.start(acdcSettings(settings), paused);
    if (paused) this.run.step();
  }

  pause(): void {
    if (this.run.phase === 'running' || this.run.phase === 'starting') this.run.pause();
  }

  resume(): void {
    if (this.run.phase === 'paused' || this.run.phase === 'pausing') this.run.resume();
  }

  /** Drops the run (cancelling it) and shows the untouched graph. */
  reset(): void {
    this.run.reset();
    this.graphView.setDone(false);
    this.graphView.setState(null);
    this.results.setCircuit(false);
    this.circuitList.clear();
    void this.showTruth(null);
    if (this.graph) {
      this.stats.showGraph(this.graph.counts.edges);
      this.chart.clear(this.graph.counts.edges);
    }
  }

  /** Stops for good (the element left the page). */
  dispose(): void {
    this.unwatch();
    this.run.cancel();
  }

  private runView() {
    return {
      phase: (phase: RunPhase) => this.showPhase(phase),
      started: (state: RunState, data: TaskData) => {
        this.row = data.clean[0] ?? this.row;
        this.graphView.setState(state);
        this.frame(state);
      },
      frame: (state: RunState) => this.frame(state),
      done: (state: RunState) => {
        this.frame(state);
        this.graphView.setDone(true);
        this.results.setCircuit(true);
        this.circuitList.show(state);
        void this.showTruth(state);
      },
      failed: (error: unknown) => this.host.error('run', error),
    };
  }

  private frame(state: RunState): void {
    this.stats.show(state);
    this.chart.show(state.history, state.graph.counts.edges);
    this.graphView.redraw();
    this.host.frame?.();
  }

  /**
   * The overlay for a finished run's circuit (null: none). The crate scores it
   * in the worker; an answer that comes after another run started, or after
   * the model changed, is dropped.
   */
  private async showTruth(state: RunState | null): Promise<void> {
    const request = ++this.truthRequest;
    const truth = this.truth;
    this.graphView.setTruth(null);
    this.overlay.clear();
    if (state === null || truth === null) return;
    const kept = Uint8Array.from(state.graph.edges, (e) => (state.present(e.id) ? 1 : 0));
    try {
      const overlay = await this.host.client().truthOverlay(kept, truth);
      if (request !== this.truthRequest) return;
      this.graphView.setTruth(overlay.verdict);
      this.overlay.show(overlay);
    } catch (error) {
      if (request === this.truthRequest) this.overlay.showError(messageOf(error));
    }
  }

  private showPhase(phase: RunPhase): void {
    this.buttons.show(phase, this.host.state.ready);
    this.element.dataset.phase = phase;
    this.host.phase(phase);
  }

  /** A head's box was chosen: its attention pattern on the first clean row. */
  private async showAttention(box: DrawnBox, byUser: boolean): Promise<void> {
    const { label, layer, head } = box;
    this.graphView.select(box);
    if (head === null) return;
    if (byUser) this.host.chosen?.(box);
    const row = this.rowOverride ?? this.row;
    if (row === null) {
      this.host.error('attention', new Error('there is no task data to look at yet'));
      return;
    }
    const request = ++this.attentionRequest;
    this.attention.loading(label);
    try {
      const pattern = await this.host.client().attention(row, layer, head);
      if (request === this.attentionRequest) this.attention.show(label, pattern);
    } catch (error) {
      if (request === this.attentionRequest) this.attention.clear();
      this.host.error('attention', error);
    }
  }

  private exportJson(): void {
    if (this.run.circuit === null) return;
    download('circuit.json', new Blob([`${JSON.stringify(this.run.circuit, null, 2)}\n`], { type: 'application/json' }));
  }

  private svg(): string | null {
    if (this.graph === null) return null;
    const style = getComputedStyle(this.element);
    const color = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    return graphSvg(
      this.graph.layout,
      this.run.state,
      this.graphView.palette,
      {
        background: color('--panel', '#ffffff'),
        text: color('--text', '#1c1917'),
        node: color('--node', '#f1f5f9'),
        nodeBorder: color('--node-border', '#94a3b8'),
      },
      this.graphView.circuitOnly,
      this.graphView.truthVerdict,
    );
  }

  private exportSvg(): void {
    const svg = this.svg();
    if (svg !== null) download('circuit.svg', new Blob([svg], { type: 'image/svg+xml' }));
  }

  private async exportPng(): Promise<void> {
    const svg = this.svg();
    if (svg === null || this.graph === null) return;
    try {
      const { width, height } = this.graph.layout;
      download('circuit.png', await svgToPng(svg, width, height));
    } catch (error) {
      this.host.error('export', error);
    }
  }
}

/** circuit.json as the worker sends it (`unknown` on the wire). */
function isCircuit(value: unknown): value is Circuit {
  return typeof value === 'object' && value !== null && 'kept' in value && Array.isArray(value.kept) && 'graph' in value;
}
