// The controls and numbers of attribution runs: the progress of the one
// running (steps, passes, time), the KL+EAP warning with its way out, which
// run is shown and which one it is compared with, the circuit size (a slider
// on a log scale, or a number or percentage typed), what the cut at that size
// keeps and how faithful it is, the overlap of the two circuits, and the
// export of scores.json. A view: it shows what it is given and reports what is chosen.

import { el } from '../dom';
import { KL_EAP_WARNING, METRICS, type Algorithm, type CurvePoint, type MetricKind } from '../generated/wire';
import type { AttributionProgress } from '../protocol';
import { parseSize, positionOf, sizeAt, type Overlap } from '../state/attribution-results';
import { formatMetric } from './run-stats';

export interface PanelActions {
  /** A circuit size was chosen (ADDITION edges asked for). */
  size(n: number): void;
  /** The run shown on the graph, by method. */
  show(method: string): void;
  /** The run compared with it (null: none). */
  compare(method: string | null): void;
  useMetric(metric: MetricKind): void;
  useAlgorithm(algorithm: Algorithm): void;
  exportScores(): void;
}

/** Slider steps over the log scale of sizes. */
const SLIDER_STEPS = 1000;

export class AttributionPanel {
  private readonly bar = el('progress', { class: 'run-progress', max: 1, 'data-testid': 'attribution-progress' });
  private readonly stepsText = el('span', { 'data-testid': 'attribution-steps' });
  private readonly timeText = el('span', { 'data-testid': 'attribution-time' });
  private readonly scaleText = el('span', { 'data-testid': 'max-score' });
  private readonly status = el('div', { class: 'attribution-status', hidden: true }, this.bar, this.stepsText, this.timeText, this.scaleText);
  private readonly metricButton = el('button', { type: 'button', 'data-testid': 'use-task-metric' });
  private readonly igButton = el('button', { type: 'button', 'data-testid': 'use-eap-ig' }, 'Use EAP-IG');
  private readonly warning = el(
    'div',
    { class: 'attribution-warning', role: 'alert', 'data-testid': 'kl-eap-warning', hidden: true },
    el('p', {}, KL_EAP_WARNING),
    el('div', { class: 'warning-actions' }, this.metricButton, this.igButton),
  );
  private readonly shownSelect = el('select', { id: 'shown-run', 'data-testid': 'shown-run' });
  private readonly compareSelect = el('select', { id: 'compare-run', 'data-testid': 'compare-run' });
  private readonly slider = el('input', {
    type: 'range',
    min: 0,
    max: SLIDER_STEPS,
    step: 1,
    id: 'circuit-size',
    'data-testid': 'size-slider',
    'aria-label': 'Circuit size (log scale)',
  });
  private readonly sizeInput = el('input', {
    type: 'text',
    class: 'size-input',
    inputmode: 'decimal',
    'data-testid': 'size-input',
    'aria-label': 'Circuit size: a number of edges or a percentage',
  });
  private readonly sizeNote = el('span', { class: 'size-note', 'data-testid': 'size-note' });
  private readonly cutText = el('p', { class: 'cut', 'data-testid': 'cut' });
  private readonly overlapText = el('p', { class: 'overlap', 'data-testid': 'overlap', hidden: true });
  private readonly exportScoresButton = el('button', { type: 'button', 'data-testid': 'export-scores', disabled: true }, 'Export scores.json');
  private readonly exportBar = el('div', { class: 'results-bar', hidden: true }, this.exportScoresButton);
  private readonly results = el(
    'div',
    { class: 'attribution-results', hidden: true },
    el(
      'div',
      { class: 'attribution-choice' },
      el('label', { for: 'shown-run' }, 'Show'),
      this.shownSelect,
      el('label', { for: 'compare-run' }, 'compare with'),
      this.compareSelect,
    ),
    el(
      'div',
      { class: 'size-control' },
      el('label', { for: 'circuit-size' }, 'Circuit size'),
      this.slider,
      this.sizeInput,
      this.sizeNote,
    ),
    this.cutText,
    this.overlapText,
  );
  readonly element: HTMLElement;
  private total = 0;

  constructor(private readonly actions: PanelActions) {
    this.element = el(
      'section',
      { class: 'attribution-panel', 'data-testid': 'attribution', 'aria-label': 'Attribution' },
      this.status,
      this.warning,
      this.results,
      this.exportBar,
    );
    this.slider.addEventListener('input', () => {
      const n = sizeAt(Number(this.slider.value) / SLIDER_STEPS, this.total);
      this.sizeInput.value = String(n);
      this.actions.size(n);
    });
    const typed = () => {
      const n = parseSize(this.sizeInput.value, this.total);
      this.sizeInput.setCustomValidity(n === null ? `a number of edges up to ${this.total}, or a percentage` : '');
      if (n !== null) this.actions.size(n);
    };
    this.sizeInput.addEventListener('change', typed);
    this.sizeInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') typed();
    });
    this.shownSelect.addEventListener('change', () => this.actions.show(this.shownSelect.value));
    this.compareSelect.addEventListener('change', () => this.actions.compare(this.compareSelect.value || null));
    this.igButton.addEventListener('click', () => this.actions.useAlgorithm('eap-ig'));
    this.metricButton.addEventListener('click', () => {
      const metric = METRICS.find((m) => m === this.metricButton.dataset.metric);
      if (metric) this.actions.useMetric(metric);
    });
    this.exportScoresButton.addEventListener('click', () => this.actions.exportScores());
  }

  /** The KL+EAP warning (null: hidden), offering `taskMetric` when the data has answers for one. */
  showWarning(shown: boolean, taskMetric: MetricKind | null): void {
    this.warning.hidden = !shown;
    this.metricButton.hidden = taskMetric === null;
    this.metricButton.dataset.metric = taskMetric ?? '';
    this.metricButton.textContent = `Use the task metric (${taskMetric ?? ''})`;
  }

  /** A run started: an indeterminate bar until its first step. */
  running(label: string): void {
    this.status.hidden = false;
    this.element.dataset.label = label;
    this.bar.removeAttribute('value');
    this.stepsText.textContent = `${label}: running the clean and corrupted inputs…`;
    this.timeText.textContent = '';
    this.scaleText.textContent = '';
  }

  /** The run ended without scores (`text` says how). */
  stopped(text: string): void {
    this.bar.value = 0;
    this.stepsText.textContent = text;
    this.timeText.textContent = '';
  }

  progress(label: string, progress: AttributionProgress, unit: string, seconds: number | null): void {
    this.status.hidden = false;
    this.bar.value = progress.totalSteps > 0 ? progress.doneSteps / progress.totalSteps : 0;
    this.bar.dataset.done = String(progress.doneSteps);
    this.bar.dataset.total = String(progress.totalSteps);
    this.stepsText.dataset.done = String(progress.doneSteps);
    this.stepsText.dataset.total = String(progress.totalSteps);
    this.stepsText.textContent = `${label}: ${progress.doneSteps} / ${progress.totalSteps} ${unit}`;
    this.timeText.dataset.value = seconds === null ? '' : String(seconds);
    this.timeText.textContent = seconds === null ? '' : ` · ${seconds.toFixed(1)} s`;
  }

  /** The shown run's largest |score|: the graph's widths are relative to it, so its size says what they mean. */
  showScale(label: string, max: number): void {
    this.scaleText.dataset.value = String(max);
    this.scaleText.textContent = ` · ${label}'s largest |score| ${formatMetric(max)}`;
  }

  /** The runs that may be shown and compared (method → label); hidden while there are none. */
  showRuns(runs: readonly { method: string; label: string; scored: boolean }[], shown: string | null, compared: string | null): void {
    this.results.hidden = shown === null;
    const scored = runs.filter((r) => r.scored);
    this.shownSelect.replaceChildren(...scored.map((r) => el('option', { value: r.method }, r.label)));
    this.shownSelect.value = shown ?? '';
    this.shownSelect.disabled = scored.length < 2;
    const others = runs.filter((r) => r.method !== shown);
    this.compareSelect.replaceChildren(el('option', { value: '' }, 'nothing'), ...others.map((r) => el('option', { value: r.method }, r.label)));
    this.compareSelect.value = compared ?? '';
    this.compareSelect.disabled = others.length === 0;
    this.exportScoresButton.disabled = shown === null;
    this.exportBar.hidden = shown === null;
  }

  /** The size chosen, of `total` ADDITION edges. */
  showSize(n: number, total: number): void {
    this.total = total;
    this.slider.value = String(Math.round(positionOf(n, total) * SLIDER_STEPS));
    if (parseSize(this.sizeInput.value, total) !== n) this.sizeInput.value = String(n);
    this.sizeInput.setCustomValidity('');
    const share = total > 0 ? (100 * n) / total : 0;
    this.sizeNote.textContent = `of ${total} edges (${share < 1 ? share.toFixed(2) : share.toFixed(1)} %)`;
    this.element.dataset.size = String(n);
  }

  /** The cut at the chosen size: its point (null: being judged), M(N) and M(∅). */
  showCut(label: string, point: CurvePoint | null, full: number | null, empty: number | null): void {
    if (point === null) {
      this.cutText.textContent = `${label}: judging this size…`;
      delete this.cutText.dataset.f;
      return;
    }
    this.cutText.dataset.f = String(point.f);
    this.cutText.dataset.edges = String(point.edges);
    this.cutText.dataset.n = String(point.n);
    this.cutText.textContent =
      `${label}: the top ${point.n} edges by |score|, ${point.edges} left after pruning what no longer connects input to logits; ` +
      `metric ${formatMetric(point.metric)} (full model ${full === null ? '–' : formatMetric(full)}, no edges ${empty === null ? '–' : formatMetric(empty)}), ` +
      `faithfulness f = ${point.f.toFixed(4)}`;
  }

  /** Two circuits' overlap over the ADDITION edges (null: no comparison). */
  showOverlap(shownLabel: string, otherLabel: string, o: Overlap | null): void {
    this.overlapText.hidden = o === null;
    if (o === null) return;
    Object.assign(this.overlapText.dataset, {
      both: String(o.both),
      onlyShown: String(o.onlyShown),
      onlyOther: String(o.onlyOther),
      jaccard: String(o.jaccard),
    });
    this.overlapText.replaceChildren(
      el('span', { class: 'key key-both' }, `both keep ${o.both}`),
      ', ',
      el('span', { class: 'key key-shown' }, `only ${shownLabel} ${o.onlyShown}`),
      ', ',
      el('span', { class: 'key key-other' }, `only ${otherLabel} ${o.onlyOther}`),
      ` ADDITION edges; Jaccard ${o.jaccard.toFixed(3)}`,
    );
  }

  reset(): void {
    this.status.hidden = true;
    this.results.hidden = true;
    this.overlapText.hidden = true;
    this.exportScoresButton.disabled = true;
    this.exportBar.hidden = true;
  }
}
