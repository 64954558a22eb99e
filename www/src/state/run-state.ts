// What the page knows of a run, rebuilt from its events alone (pure: no DOM):
// each edge's fate, the effect of each tested edge, the metric after each
// event, and the pace. Views read it; only `apply` and `reset` write it.

import type { AcdcEvent, AcdcStatus, GraphInfo } from '../generated/wire';

/** A `tested` event: one edge decided. */
export type TestedEvent = Extract<AcdcEvent, { type: 'tested' }>;
/** A `skipped` event: a receiver that feeds nothing lost its edges untested. */
export type SkippedEvent = Extract<AcdcEvent, { type: 'skipped' }>;

/** An edge's fate so far. `skipped` = removed untested (its receiver feeds nothing). */
export const Fate = { Untested: 0, Removed: 1, Kept: 2, Skipped: 3 } as const;
export type Fate = (typeof Fate)[keyof typeof Fate];

export interface MetricPoint {
  /** Edges tested so far. */
  tested: number;
  metric: number;
}

/** Pace is measured over this window. */
const RATE_WINDOW_MS = 3000;

/**
 * What testing an edge costs, in layers recomputed: the incremental engine recomputes from the
 * receiver's layer up, then unembeds (docs/acdc.md). ACDC works from the logits down, so its
 * first edges are the cheapest; an ETA from edges per second alone swung from 9 to 23 minutes on
 * docstring-4l. Weighting each edge by this cost, and counting only tested edges as work done,
 * keeps the estimate steady as the run goes deeper.
 */
function edgeCost(graph: GraphInfo, edge: GraphInfo['edges'][number]): number {
  if (edge.type === 'placeholder') return 0;
  const receiver = graph.nodes[edge.receiver];
  if (!receiver || receiver.hook === 'resid_post') return 1;
  return Math.max(1, graph.nLayers - receiver.layer + 1);
}

export class RunState {
  readonly fate: Uint8Array;
  /** metricAfter − metricBefore of tested edges; NaN when untested. */
  readonly delta: Float64Array;
  /** When each edge's fate last changed (ms, the page's clock), for fading. */
  readonly changedAt: Float64Array;
  /** The edge tested last (drawn as "under test"); null before the first. */
  current: number | null = null;
  /** The last edge decided, as its event said (what the explanation tells). */
  lastTested: TestedEvent | null = null;
  /** The last event of any kind. */
  lastEvent: AcdcEvent | null = null;
  history: MetricPoint[] = [];
  status: AcdcStatus | null = null;
  tested = 0;
  /** The largest |Δ| among kept edges (for scaling their width). */
  maxKeptDelta = 0;
  private samples: { at: number; tested: number; work: number }[] = [];
  /** Each edge's cost (edgeCost) and the cost of the edges not yet decided. */
  private readonly cost: Float32Array;
  private workLeft = 0;
  /** The cost of the edges tested so far (skipped ones cost nothing). */
  private workDone = 0;

  constructor(readonly graph: GraphInfo) {
    const n = graph.edges.length;
    this.fate = new Uint8Array(n);
    this.delta = new Float64Array(n).fill(Number.NaN);
    this.changedAt = new Float64Array(n);
    this.cost = Float32Array.from(graph.edges, (e) => edgeCost(graph, e));
    this.workLeft = this.cost.reduce((a, b) => a + b, 0);
  }

  /** The full model's metric, before any edge is tested. */
  begin(status: AcdcStatus, now: number): void {
    this.status = status;
    this.history = [{ tested: 0, metric: status.initialMetric }];
    this.samples = [{ at: now, tested: 0, work: 0 }];
  }

  apply(events: AcdcEvent[], status: AcdcStatus | null, now: number): void {
    for (const event of events) {
      switch (event.type) {
        case 'tested': {
          const fate = event.removed ? Fate.Removed : Fate.Kept;
          this.setFate(event.edge, fate, now);
          this.workDone += this.cost[event.edge] ?? 0;
          const delta = event.metricAfter - event.metricBefore;
          this.delta[event.edge] = delta;
          if (fate === Fate.Kept) this.maxKeptDelta = Math.max(this.maxKeptDelta, Math.abs(delta));
          this.current = event.edge;
          this.lastTested = event;
          this.tested++;
          this.history.push({ tested: this.tested, metric: event.removed ? event.metricAfter : event.metricBefore });
          break;
        }
        case 'skipped':
          for (const e of event.edgesRemoved) {
            if (this.graph.edges[e]?.type !== 'placeholder') this.setFate(e, Fate.Skipped, now);
          }
          this.history.push({ tested: this.tested, metric: event.metricAfter });
          break;
        case 'done':
          this.current = null;
          break;
      }
      this.lastEvent = event;
    }
    if (status) this.status = status;
    this.samples.push({ at: now, tested: this.tested, work: this.workDone });
    while (this.samples.length > 2 && now - this.samples[1].at > RATE_WINDOW_MS) this.samples.shift();
  }

  private setFate(edge: number, fate: Fate, now: number): void {
    if (edge < 0 || edge >= this.fate.length) return;
    if (this.fate[edge] === Fate.Untested) this.workLeft -= this.cost[edge];
    this.fate[edge] = fate;
    this.changedAt[edge] = now;
  }

  /** ADD + DC edges neither tested nor removed (the worker's count once it has one). */
  get remaining(): number {
    if (this.status) return this.status.remaining;
    return this.graph.counts.edges;
  }

  /** Tested edges per second over the last few seconds; null before there is a pace. */
  get rate(): number | null {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at < 250) return null;
    return ((last.tested - first.tested) * 1000) / (last.at - first.at);
  }

  /**
   * Seconds left at the current pace of work (an upper bound: skipped receivers go untested):
   * the cost of the undecided edges over the cost tested per second.
   */
  get eta(): number | null {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at < 250) return null;
    const pace = ((last.work - first.work) * 1000) / (last.at - first.at);
    if (pace <= 0) return null;
    return Math.max(0, this.workLeft) / pace;
  }

  /** Whether an edge is (still) part of the circuit: not removed, by test or by skip. */
  present(edge: number): boolean {
    const fate = this.fate[edge];
    return fate === Fate.Untested || fate === Fate.Kept;
  }
}
