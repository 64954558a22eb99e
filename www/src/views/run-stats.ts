// The run's counts, named so that none can be misread: edges kept (the
// circuit), removed, and not decided yet (ACDC has not reached them), of all
// the graph's edges; then edges tested, forward passes, pace, time left and
// the current metric. A bar shows the same split: kept | removed | not
// decided yet. Each number also sits in `data-value` for tests (the test ids
// are the counters' old names: `remaining` is the undecided count).

import { el } from '../dom';
import { formatMetric } from '../charts/format';
import { METRIC_WORDS } from '../explain/words';
import type { MetricKind } from '../generated/wire';
import type { RunState } from '../state/run-state';

export { formatMetric } from '../charts/format';

export class RunStats {
  private readonly kept = stat('kept');
  private readonly removed = stat('removed');
  private readonly remaining = stat('remaining');
  private readonly tested = stat('tested');
  private readonly passes = stat('passes');
  private readonly rate = stat('rate');
  private readonly eta = stat('eta');
  private readonly metric = stat('current-metric');
  private readonly metricLabel = el('dt', {}, 'metric');
  private readonly keptBar = el('span', { class: 'split-kept' });
  private readonly removedBar = el('span', { class: 'split-removed' });
  private readonly bar = el(
    'div',
    {
      class: 'run-split',
      role: 'img',
      'aria-label': 'Edges kept, removed and not decided yet',
      'data-testid': 'progress',
    },
    this.keptBar,
    this.removedBar,
  );
  readonly element = el(
    'div',
    { class: 'run-stats', 'aria-live': 'off', 'data-testid': 'run-stats' },
    el(
      'dl',
      {},
      pair('kept (circuit)', this.kept, 'stat-main stat-kept', 'Edges ACDC tested and kept: the circuit so far'),
      pair('removed', this.removed, 'stat-main stat-removed', 'Edges removed, after a test or untested because they feed nothing kept'),
      pair('not decided yet', this.remaining, 'stat-main', 'Edges ACDC has neither tested nor removed yet'),
      pair('tested', this.tested, 'stat-more', 'Edges decided by measuring the metric without them'),
      pair('passes', this.passes, 'stat-more', 'Forward passes of the model so far'),
      pair('edges/s', this.rate, 'stat-more', 'Edges tested per second, lately'),
      pair('time left', this.eta, 'stat-more', 'At this pace; an upper bound'),
      el('div', { class: 'stat stat-more' }, this.metricLabel, this.metric),
    ),
    this.bar,
  );

  /** A model's graph before any run: nothing decided yet. */
  showGraph(edges: number, metric: MetricKind | null = null): void {
    set(this.remaining, edges, `${edges} of ${edges}`);
    for (const s of [this.kept, this.removed, this.tested, this.passes]) set(s, 0, '0');
    for (const s of [this.rate, this.eta, this.metric]) set(s, null, '–');
    if (metric) this.metricLabel.textContent = `${METRIC_WORDS[metric].short} now`;
    this.split(0, 0, edges);
  }

  show(state: RunState, metric: MetricKind | null = null): void {
    const status = state.status;
    const total = state.graph.counts.edges;
    const kept = status?.kept ?? 0;
    const removed = status?.removed ?? 0;
    set(this.kept, kept, `${kept}`);
    set(this.removed, removed, `${removed}`);
    set(this.remaining, state.remaining, `${state.remaining} of ${total}`);
    set(this.tested, state.tested, String(state.tested));
    set(this.passes, status?.passes ?? 0, String(status?.passes ?? 0));
    const rate = status?.done ? null : state.rate;
    set(this.rate, rate, rate === null ? '–' : rate.toFixed(rate < 10 ? 1 : 0));
    const eta = status?.done ? 0 : state.eta;
    set(this.eta, eta, status?.done ? 'none' : eta === null ? '–' : formatSeconds(eta));
    const value = status?.currentMetric ?? null;
    if (metric) this.metricLabel.textContent = `${METRIC_WORDS[metric].short} now`;
    set(this.metric, value, value === null ? '–' : formatMetric(value));
    this.split(kept, removed, total);
  }

  private split(kept: number, removed: number, total: number): void {
    const pct = (n: number) => `${total > 0 ? (100 * n) / total : 0}%`;
    this.keptBar.style.width = pct(kept);
    this.removedBar.style.width = pct(removed);
    this.bar.dataset.value = String(total > 0 ? (kept + removed) / total : 0);
  }
}

function stat(testid: string): HTMLElement {
  return el('dd', { 'data-testid': testid });
}

function pair(label: string, value: HTMLElement, cls: string, title: string): HTMLElement {
  return el('div', { class: `stat ${cls}`, title }, el('dt', {}, label), value);
}

function set(element: HTMLElement, value: number | null, text: string): void {
  element.dataset.value = value === null ? '' : String(value);
  element.textContent = text;
}

function formatSeconds(seconds: number): string {
  if (seconds < 1) return '< 1 s';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}
