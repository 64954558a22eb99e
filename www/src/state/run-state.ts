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
  private samples: { at: number; tested: number }[] = [];

  constructor(readonly graph: GraphInfo) {
    const n = graph.edges.length;
    this.fate = new Uint8Array(n);
    this.delta = new Float64Array(n).fill(Number.NaN);
    this.changedAt = new Float64Array(n);
  }

  /** The full model's metric, before any edge is tested. */
  begin(status: AcdcStatus, now: number): void {
    this.status = status;
    this.history = [{ tested: 0, metric: status.initialMetric }];
    this.samples = [{ at: now, tested: 0 }];
  }

  apply(events: AcdcEvent[], status: AcdcStatus | null, now: number): void {
    for (const event of events) {
      switch (event.type) {
        case 'tested': {
          const fate = event.removed ? Fate.Removed : Fate.Kept;
          this.setFate(event.edge, fate, now);
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
    this.samples.push({ at: now, tested: this.tested });
    while (this.samples.length > 2 && now - this.samples[1].at > RATE_WINDOW_MS) this.samples.shift();
  }

  private setFate(edge: number, fate: Fate, now: number): void {
    if (edge < 0 || edge >= this.fate.length) return;
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

  /** Seconds left at the current pace (an upper bound: skipped receivers go untested). */
  get eta(): number | null {
    const rate = this.rate;
    if (rate === null || rate <= 0) return null;
    return this.remaining / rate;
  }

  /** Whether an edge is (still) part of the circuit: not removed, by test or by skip. */
  present(edge: number): boolean {
    const fate = this.fate[edge];
    return fate === Fate.Untested || fate === Fate.Kept;
  }
}
