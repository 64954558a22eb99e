// The attribution side of the stage (docs/methods.md): runs exact, EAP or
// EAP-IG with a progress bar, paints every edge by its score, cuts the circuit
// at the size the slider asks for (the crate cuts and prunes; no new passes),
// draws each run's faithfulness curve as its sizes are judged (and ROC where
// the model has a known circuit), places ACDC's circuit on the same chart,
// compares two runs' circuits, and sets every method's estimate of an edge's
// effect beside the exact one. The runs of one dataset (model, rows, metric,
// ablation) stay side by side until another dataset is run.

import { el } from '../dom';
import type { Algorithm, CustomTask, GraphInfo, GroundTruth, RunSettings, TaskData } from '../generated/wire';
import { download } from '../graph/export';
import type { GraphView } from '../graph/graph-view';
import type { AttributedResponse } from '../protocol';
import { AttributionController } from '../state/attribution-controller';
import { AttributionJudge } from '../state/attribution-judge';
import { acdcResult, dataKey, gradientFree, methodLabel, overlap, scoredResult, smallestFaithful, taskMetric } from '../state/attribution-results';
import type { Result, ScoredResult } from '../state/attribution-results';
import { CUSTOM_TASK } from '../state/custom-task';
import type { PageState } from '../state/page-state';
import type { RunState } from '../state/run-state';
import { runSettings, type Settings } from '../state/settings';
import type { WorkerClient } from '../worker-client';
import { AttributionEdges, edgeLabel, estimateOfDelta } from './attribution-edges';
import { AttributionPanel } from './attribution-panel';
import { AttributionScatter } from './attribution-scatter';
import { FaithfulnessChart, type Series } from './faithfulness-chart';
import { RocChart, rocSeries, type RocSeries } from './faithfulness-roc';
import type { RunPhase } from './run-buttons';
import { formatMetric } from './run-stats';

export interface AttributionHost {
  client(): WorkerClient;
  readonly state: PageState;
  readonly graphView: GraphView;
  /** The run buttons follow an attribution run's phase. */
  phase(phase: RunPhase): void;
  error(stage: 'run' | 'judge', error: unknown): void;
  /** The KL+EAP warning's way out: another metric or method. */
  changeSettings(patch: Partial<Settings>): void;
}

/** The order runs are listed, shown and drawn in. */
const ORDER: Algorithm[] = ['eap', 'eap-ig', 'exact', 'acdc'];

export class AttributionStage {
  private readonly run: AttributionController;
  private readonly judge: AttributionJudge;
  private readonly panel: AttributionPanel;
  private readonly chart = new FaithfulnessChart();
  private readonly rocChart = new RocChart();
  private readonly edges = new AttributionEdges((edge) => this.selectEdge(edge));
  private readonly scatter = new AttributionScatter((edge) => this.selectEdge(edge));
  private readonly views = el('div', { class: 'attribution-views', hidden: true });
  readonly element: HTMLElement;

  private graph: GraphInfo | null = null;
  private truth: GroundTruth | null = null;
  /** The dataset the results belong to (`dataKey`). */
  private key: string | null = null;
  private readonly results = new Map<Algorithm, Result>();
  private shown: ScoredResult | null = null;
  private compared: Result | null = null;
  private size = 0;
  private sizeChosen = false;
  private selected: number | null = null;
  /** Bumped whenever the dataset changes: answers for an older one are dropped. */
  private generation = 0;
  /** The size being judged, and the one asked for meanwhile (the slider's latest). */
  private judging: number | null = null;
  private wanted: number | null = null;
  private runLabel = '';
  private runMethod: Algorithm = 'eap';
  private startedAt = 0;
  /** The shown run's cut and the compared circuit, as painted. */
  private kept: Uint8Array | null = null;
  private other: Uint8Array | null = null;
  /** ACDC's circuit against the ground truth (one ROC point). */
  private acdcRoc: { tpr: number; fpr: number } | null = null;

  constructor(private readonly host: AttributionHost) {
    this.run = new AttributionController(() => host.client(), {
      phase: (phase) => host.phase(phase),
      started: () => undefined,
      progress: (progress) => this.panel.progress(this.runLabel, progress, this.unit(), (performance.now() - this.startedAt) / 1000),
      done: (end, settings, custom, data) => void this.finished(end, settings, custom, data),
      failed: (error) => {
        this.panel.stopped(`${this.runLabel}: failed`);
        host.error('run', error);
      },
    });
    this.judge = new AttributionJudge(() => host.client());
    this.panel = new AttributionPanel({
      size: (n) => this.setSize(n, true),
      show: (method) => this.show(this.result(method)),
      compare: (method) => this.compare(method === null ? null : this.result(method)),
      useMetric: (metric) => host.changeSettings({ metric }),
      useAlgorithm: (algorithm) => host.changeSettings({ algorithm }),
      exportScores: () => this.exportScores(),
    });
    this.views.append(
      el('div', { class: 'attribution-charts' }, this.chart.element, this.rocChart.element, this.scatter.element),
      this.edges.element,
    );
    this.element = el('div', { class: 'attribution' }, this.panel.element, this.views);
    host.graphView.onEdgeClick = (edge) => this.selectEdge(edge);
    host.graphView.edgeNote = (edge) => this.edgeNote(edge);
    host.state.watch(['settings', 'custom'], () => this.showWarning());
  }

  get phase(): RunPhase {
    return this.run.phase;
  }

  get active(): boolean {
    return this.run.active;
  }

  /** Runs the settings' method (exact, eap or eap-ig) on the settings' data. */
  start(paused: boolean): void {
    const { settings } = this.host.state;
    if (settings === null || settings.algorithm === 'acdc') return;
    const custom = settings.task === CUSTOM_TASK ? this.host.state.custom : undefined;
    this.useData(dataKey(settings, custom ?? null));
    this.runMethod = settings.algorithm;
    this.runLabel = methodLabel(runSettings(settings));
    this.panel.running(this.runLabel);
    this.startedAt = performance.now();
    this.host.graphView.setState(null);
    this.host.graphView.setTruth(null);
    this.run.start(runSettings(settings), custom, paused);
  }

  pause(): void {
    this.run.pause();
  }

  resume(): void {
    this.run.resume();
  }

  step(): void {
    this.run.step();
  }

  /** Stops the run in flight; what was found stays. */
  reset(): void {
    this.run.reset();
  }

  /** Forgets every result (the Reset button, or a new model). */
  clear(): void {
    this.run.reset();
    this.useData(null);
    this.panel.reset();
  }

  /** A new model: its graph and known circuit; every result goes. */
  setGraph(graph: GraphInfo | null, truth: GroundTruth | null): void {
    this.clear();
    this.graph = graph;
    this.truth = graph ? truth : null;
  }

  /** ACDC finished: its circuit joins the results of its dataset, as one point on the chart. */
  acdcDone(state: RunState, settings: Settings): void {
    const custom = settings.task === CUSTOM_TASK ? this.host.state.custom : undefined;
    this.useData(dataKey(settings, custom ?? null));
    this.graph = state.graph;
    const acdc = acdcResult(state, settings);
    const kept = acdc.kept;
    this.results.set('acdc', acdc);
    // The graph shows ACDC's run now; the scores come back with the next attribution run.
    this.host.graphView.setScores(null);
    const generation = this.generation;
    void this.judge
      .circuit(acdc, { settings: { ...runSettings(settings), algorithm: 'acdc' }, custom })
      .then((point) => {
        if (generation !== this.generation) return;
        acdc.point = point;
        this.refresh();
      })
      .catch((error: unknown) => this.host.error('judge', error));
    if (this.truth) {
      void this.host
        .client()
        .truthOverlay(kept, this.truth)
        .then((o) => {
          if (generation !== this.generation) return;
          this.acdcRoc = { tpr: o.tpr, fpr: o.fpr };
          this.refresh();
        })
        .catch(() => undefined);
    }
    this.refresh();
  }

  dispose(): void {
    this.run.cancel();
  }

  /** Results of another dataset are put away; `key` null forgets all. */
  private useData(key: string | null): void {
    if (key === this.key && key !== null) return;
    this.generation++;
    this.key = key;
    this.results.clear();
    this.shown = null;
    this.compared = null;
    this.selected = null;
    this.sizeChosen = false;
    this.acdcRoc = null;
    this.judging = null;
    this.wanted = null;
    this.host.graphView.setScores(null);
    this.refresh();
  }

  private async finished(end: AttributedResponse, settings: RunSettings, custom: CustomTask | undefined, data: TaskData): Promise<void> {
    const generation = this.generation;
    const method = this.runMethod;
    if (method === 'acdc') return;
    const result = scoredResult(method, this.runLabel, end, settings, custom, data.clean.length);
    const passes = end.scores.forward_passes + end.scores.backward_passes;
    const total = method === 'exact' ? end.scores.edges.length : end.scores.backward_passes;
    this.panel.progress(this.runLabel, { doneSteps: total, totalSteps: total, done: true }, this.unit(), end.wallTime);
    this.panel.element.dataset.passes = String(passes);
    this.results.set(method, result);
    this.shown = result;
    if (this.compared === result) this.compared = null;
    // Every edge by its score until a size is cut.
    this.paint(null, null);
    this.refresh();
    try {
      await this.judge.curve(result, () => this.refresh(), () => generation === this.generation);
      if (generation !== this.generation) return;
      if (this.truth) {
        result.roc = await this.judge.roc(result, JSON.stringify(this.truth));
        if (generation !== this.generation) return;
      }
      this.refresh();
      if (!this.sizeChosen && this.shown === result) this.setSize(this.defaultSize(result), false);
    } catch (error) {
      if (generation === this.generation) this.host.error('judge', error);
    }
  }

  /** The size a fresh run opens at: ACDC's circuit's when there is one, else the smallest of MIB's that keeps 80 %. */
  private defaultSize(result: ScoredResult): number {
    const acdc = this.results.get('acdc');
    if (acdc?.kind === 'circuit' && acdc.point) return acdc.point.edges;
    return smallestFaithful(result.curve)?.n ?? Math.floor(0.1 * this.total());
  }

  private total(): number {
    return this.graph?.counts.addition ?? 0;
  }

  private unit(): string {
    return this.runMethod === 'exact' ? 'edges' : 'passes';
  }

  private result(method: string): Result | null {
    const key = ORDER.find((m) => m === method);
    return key === undefined ? null : (this.results.get(key) ?? null);
  }

  private show(result: Result | null): void {
    if (result?.kind !== 'scores') return;
    this.shown = result;
    if (this.compared === result) this.compared = null;
    this.setSize(this.size, false);
    this.refresh();
  }

  private compare(result: Result | null): void {
    this.compared = result;
    this.setSize(this.size, false);
  }

  /** Cuts the shown run (and the compared one) at `n` edges; the latest size asked for wins. */
  private setSize(n: number, chosen: boolean): void {
    this.size = n;
    if (chosen) this.sizeChosen = true;
    this.panel.showSize(n, this.total());
    this.refresh();
    if (this.shown === null) return;
    this.wanted = n;
    if (this.judging === null) void this.judgeSize();
  }

  private async judgeSize(): Promise<void> {
    const generation = this.generation;
    while (this.wanted !== null && generation === this.generation) {
      const n = this.wanted;
      const shown = this.shown;
      const compared = this.compared;
      this.wanted = null;
      this.judging = n;
      if (shown === null) break;
      this.panel.showCut(shown.label, null, null, null);
      try {
        const cut = await this.judge.cut(shown, n, this.total());
        const other =
          compared === null ? null : compared.kind === 'circuit' ? compared.kept : (await this.judge.cut(compared, n, this.total())).kept;
        if (generation !== this.generation || this.wanted !== null) continue;
        this.panel.showCut(shown.label, cut.point, cut.fullMetric, cut.emptyMetric);
        const o = other && this.graph ? overlap(this.graph, cut.kept, other) : null;
        this.panel.showOverlap(shown.label, compared?.label ?? '', o);
        this.paint(cut.kept, other);
      } catch (error) {
        if (generation === this.generation) this.host.error('judge', error);
      }
    }
    if (generation === this.generation) this.judging = null;
  }

  /** Paints the shown run's scores on the graph, with its cut and the compared circuit when known. */
  private paint(kept: Uint8Array | null = this.kept, other: Uint8Array | null = this.other): void {
    this.kept = kept;
    this.other = other;
    const shown = this.shown;
    if (shown === null) return;
    this.panel.showScale(shown.label, shown.maxAbs);
    this.host.graphView.setScores({ scores: shown.scores, max: shown.maxAbs, kept, other, selected: this.selected });
  }

  private selectEdge(edge: number): void {
    this.selected = edge;
    this.paint();
    this.refresh();
  }

  private edgeNote(edge: number): string | null {
    const shown = this.shown;
    if (shown === null) return null;
    const score = shown.scores[edge];
    if (!Number.isFinite(score)) return `${shown.label}: not scored (a head's q/k/v feeding it; always kept)`;
    const estimate = estimateOfDelta(shown, edge);
    const scored = shown.method === 'exact' ? '' : ` (estimate of Δ ${formatMetric(estimate)})`;
    return `${shown.label} ${formatMetric(score)}${scored}; click to compare the methods`;
  }

  /** Redraws the charts, the run choice and the edge tables from the results. */
  private refresh(): void {
    const graph = this.graph;
    const results = ORDER.map((m) => this.results.get(m)).filter((r): r is Result => r !== undefined);
    this.views.hidden = results.length === 0;
    const series: Series[] = results.map((r) => ({
      method: r.method,
      label: r.label,
      points: r.kind === 'circuit' ? (r.point ? [r.point] : []) : r.curve,
      single: r.kind === 'circuit',
    }));
    const total = this.total();
    this.chart.show(series, this.shown && total > 0 ? this.size / total : null);
    const rocs: RocSeries[] = results.flatMap((r) =>
      r.kind === 'scores' && r.roc ? [rocSeries(r.method, r.label, r.roc)] : [],
    );
    if (this.acdcRoc) rocs.push({ method: 'acdc', label: this.results.get('acdc')?.label ?? 'ACDC', points: [this.acdcRoc], auc: null });
    this.rocChart.show(rocs);
    this.panel.showRuns(
      results.map((r) => ({ method: r.method, label: r.label, scored: r.kind === 'scores' })),
      this.shown?.method ?? null,
      this.compared?.method ?? null,
    );
    if (graph === null) {
      this.edges.clear();
      return;
    }
    this.edges.show(graph, this.shown, results, this.selected);
    const scored = results.filter((r): r is ScoredResult => r.kind === 'scores');
    const exact = scored.find((r) => r.method === 'exact') ?? null;
    this.scatter.show(graph, exact, scored.filter((r) => r.method !== 'exact'), this.selected);
    this.element.dataset.selected = this.selected === null ? '' : edgeLabel(graph, this.selected);
    this.showWarning();
  }

  /** KL or L2 with EAP: say so, beside the choice and beside such scores, and offer the task metric or EAP-IG. */
  private showWarning(): void {
    const { state } = this.host;
    const settings = state.settings;
    const shown = this.shown?.method === 'eap' && gradientFree(this.shown.settings.metric);
    const chosen = settings !== null && settings.algorithm === 'eap' && gradientFree(settings.metric);
    this.panel.showWarning(chosen || shown, settings ? taskMetric(settings, state.task(settings.task), state.custom) : null);
  }

  private exportScores(): void {
    const shown = this.shown;
    if (shown === null) return;
    download('scores.json', new Blob([`${JSON.stringify(shown.file, null, 2)}\n`], { type: 'application/json' }));
  }
}
