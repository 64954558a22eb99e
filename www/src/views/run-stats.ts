// The run's numbers: edges remaining, tested (kept / removed), forward
// passes, pace, ETA, the metric, and a progress bar. Each number also sits in
// `data-value` for tests.

import { el } from '../dom';
import type { RunState } from '../state/run-state';

export class RunStats {
  private readonly remaining = stat('remaining');
  private readonly tested = stat('tested');
  private readonly kept = stat('kept');
  private readonly passes = stat('passes');
  private readonly rate = stat('rate');
  private readonly eta = stat('eta');
  private readonly metric = stat('current-metric');
  private readonly bar = el('progress', { class: 'run-progress', max: 1, value: 0, 'data-testid': 'progress' });
  readonly element = el(
    'div',
    { class: 'run-stats', 'aria-live': 'off' },
    el(
      'dl',
      {},
      pair('edges remaining', this.remaining),
      pair('tested', this.tested),
      pair('kept', this.kept),
      pair('forward passes', this.passes),
      pair('edges/s', this.rate),
      pair('ETA', this.eta),
      pair('metric', this.metric),
    ),
    this.bar,
  );

  /** A model's graph before any run: every edge remains. */
  showGraph(edges: number): void {
    set(this.remaining, edges, String(edges));
    for (const s of [this.tested, this.kept, this.passes]) set(s, 0, '0');
    for (const s of [this.rate, this.eta, this.metric]) set(s, null, '–');
    this.bar.value = 0;
  }

  show(state: RunState): void {
    const status = state.status;
    const total = state.graph.counts.edges;
    set(this.remaining, state.remaining, `${state.remaining} / ${total}`);
    set(this.tested, state.tested, String(state.tested));
    set(this.kept, status?.kept ?? 0, String(status?.kept ?? 0));
    set(this.passes, status?.passes ?? 0, String(status?.passes ?? 0));
    const rate = status?.done ? null : state.rate;
    set(this.rate, rate, rate === null ? '–' : rate.toFixed(rate < 10 ? 1 : 0));
    const eta = status?.done ? 0 : state.eta;
    set(this.eta, eta, status?.done ? 'done' : eta === null ? '–' : formatSeconds(eta));
    const metric = status?.currentMetric ?? null;
    set(this.metric, metric, metric === null ? '–' : formatMetric(metric));
    this.bar.value = total > 0 ? (total - state.remaining) / total : 0;
  }
}

function stat(testid: string): HTMLElement {
  return el('dd', { 'data-testid': testid });
}

function pair(label: string, value: HTMLElement): HTMLElement {
  return el('div', { class: 'stat' }, el('dt', {}, label), value);
}

function set(element: HTMLElement, value: number | null, text: string): void {
  element.dataset.value = value === null ? '' : String(value);
  element.textContent = text;
}

export function formatMetric(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e-3 && abs < 1e4 ? value.toFixed(4) : value.toExponential(2);
}

function formatSeconds(seconds: number): string {
  if (seconds < 1) return '< 1 s';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}
