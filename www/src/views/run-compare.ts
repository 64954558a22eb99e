// The previous run beside the current one: its circuit as a small picture,
// its settings and counts, and once the current run is done, which edges the
// two circuits share and which only one of them kept (the metric curves are
// overlaid on the chart). Hidden until a second run starts on the same graph.

import { el } from '../dom';
import { formatShort, formatTau } from '../charts/format';
import { METRIC_WORDS } from '../explain/words';
import type { MetricKind } from '../generated/wire';
import { Fate, type RunState } from '../state/run-state';

/** A finished run kept for comparison. */
export interface PastRun {
  state: RunState;
  tau: number;
  metric: MetricKind;
  /** Its circuit drawn as an SVG document (graph/export.ts). */
  svg: string;
}

export class RunCompare {
  private readonly title = el('p', { class: 'compare-title' });
  private readonly picture = el('img', { class: 'compare-picture', alt: '' });
  private readonly diff = el('p', { class: 'compare-diff', 'data-testid': 'compare-diff' });
  readonly element = el(
    'figure',
    { class: 'compare', 'data-testid': 'compare', hidden: true },
    this.title,
    this.picture,
    this.diff,
  );
  private past: PastRun | null = null;

  /** The run to compare with (null: none, hidden). */
  setPrevious(past: PastRun | null): void {
    this.past = past;
    this.element.hidden = past === null;
    if (past === null) return;
    const kept = past.state.status?.kept ?? 0;
    const total = past.state.graph.counts.edges;
    const m = METRIC_WORDS[past.metric];
    const final = past.state.status?.currentMetric;
    this.title.textContent =
      `Previous run, τ = ${formatTau(past.tau)}: ${kept} of ${total} edges kept` +
      (final === undefined ? '' : `, final ${m.short} ${formatShort(final)}`) +
      ' (its curve is the grey line on the chart).';
    this.picture.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(past.svg)}`;
    this.picture.alt = `The previous run's circuit at τ = ${formatTau(past.tau)}: ${kept} edges`;
    this.element.dataset.tau = String(past.tau);
    this.diff.textContent = 'The circuits are compared once this run is done.';
    delete this.diff.dataset.both;
  }

  /** The current run ended (or not): compares its kept edges with the previous run's. */
  compare(current: RunState | null, tau: number): void {
    const past = this.past;
    if (past === null) return;
    if (current === null || !current.status?.done || current.graph.edges.length !== past.state.graph.edges.length) {
      this.diff.textContent = 'The circuits are compared once this run is done.';
      return;
    }
    let both = 0;
    let onlyPast = 0;
    let onlyNow = 0;
    for (let e = 0; e < current.fate.length; e++) {
      const a = past.state.fate[e] === Fate.Kept;
      const b = current.fate[e] === Fate.Kept;
      if (a && b) both++;
      else if (a) onlyPast++;
      else if (b) onlyNow++;
    }
    const [t0, t1] = [formatTau(past.tau), formatTau(tau)];
    this.diff.dataset.both = String(both);
    this.diff.dataset.onlyPrevious = String(onlyPast);
    this.diff.dataset.onlyCurrent = String(onlyNow);
    this.diff.textContent =
      past.tau === tau
        ? `Both runs used τ = ${t1}: ${both} edges kept by both, ${onlyPast} only by the previous run, ${onlyNow} only by this one.`
        : `${both} edges are kept at both τ = ${t0} and τ = ${t1}; ${onlyPast} only at τ = ${t0}, ${onlyNow} only at τ = ${t1}.` +
          (past.tau < tau ? ' A larger τ removes more edges.' : past.tau > tau ? ' A smaller τ keeps more edges.' : '');
  }
}
