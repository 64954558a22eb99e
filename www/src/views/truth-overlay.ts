// The ground-truth overlay's legend and counts, under the graph: how the found
// circuit compares with the one the model was compiled to have, as the crate
// scores it (`TruthOverlay`: true positives, misses, extras, TPR and FPR over
// ADDITION and DIRECT_COMPUTATION edges). Hidden until a run on a model with a
// ground truth is done.

import { el } from '../dom';
import { messageOf } from '../errors';
import type { GroundTruth, TruthOverlay } from '../generated/wire';
import type { RunState } from '../state/run-state';

/** Scores a circuit (1 per graph edge) against the ground truth: the worker's `truthOverlay`. */
export type ScoreTruth = (kept: Uint8Array) => Promise<TruthOverlay>;

export class TruthOverlayView {
  private readonly counts = el('span', { class: 'truth-counts' });
  private readonly note = el('span', { class: 'truth-note', 'data-testid': 'truth-note' });
  readonly element = el(
    'div',
    { class: 'truth-overlay', 'data-testid': 'truth', hidden: true, role: 'status' },
    el('strong', {}, 'Ground truth'),
    this.counts,
    this.note,
  );

  /** Counts overlay requests: only the latest one's answer is shown. */
  private request = 0;

  /**
   * Scores `kept` (null: no circuit to score) and shows the result; `paint`
   * gets its verdicts for the graph. An answer that comes after a later call
   * is dropped.
   */
  async check(kept: Uint8Array | null, score: ScoreTruth, paint: (verdict: TruthOverlay['verdict'] | null) => void): Promise<void> {
    const request = ++this.request;
    paint(null);
    this.clear();
    if (kept === null) return;
    try {
      const overlay = await score(kept);
      if (request !== this.request) return;
      paint(overlay.verdict);
      this.show(overlay);
    } catch (error) {
      if (request === this.request) this.showError(messageOf(error));
    }
  }

  /**
   * The overlay of a finished run's circuit against `truth` (null state or truth: none). An
   * answer that comes after another run started, or after the model changed, is dropped.
   */
  checkRun(
    state: RunState | null,
    truth: GroundTruth | null,
    score: (kept: Uint8Array, truth: GroundTruth) => Promise<TruthOverlay>,
    paint: (verdict: TruthOverlay['verdict'] | null) => void,
  ): Promise<void> {
    if (state === null || truth === null) return this.check(null, () => Promise.reject(new Error('no circuit')), paint);
    const kept = Uint8Array.from(state.graph.edges, (e) => (state.present(e.id) ? 1 : 0));
    return this.check(kept, (k) => score(k, truth), paint);
  }

  show(overlay: TruthOverlay): void {
    const item = (cls: string, testid: string, value: number, label: string) =>
      el('span', { class: `legend-item ${cls}`, 'data-testid': testid, 'data-value': value }, `${value} ${label}`);
    const { truePositives, misses, extras, tpr, fpr } = overlay;
    this.counts.replaceChildren(
      item('legend-true-positive', 'truth-tp', truePositives, truePositives === 1 ? 'true positive' : 'true positives'),
      item('legend-miss', 'truth-misses', misses, misses === 1 ? 'miss' : 'misses'),
      item('legend-extra', 'truth-extras', extras, extras === 1 ? 'extra' : 'extras'),
      el('span', { 'data-testid': 'truth-rates', 'data-tpr': tpr, 'data-fpr': fpr }, `TPR ${tpr.toFixed(2)} · FPR ${fpr.toFixed(3)}`),
    );
    // Every ground-truth edge is either found or missed.
    this.note.textContent =
      misses === 0 && extras === 0
        ? `ACDC found exactly the ${truePositives} edges the program uses.`
        : 'Misses are ground-truth edges ACDC removed; extras are kept edges the program does not use.';
    this.element.hidden = false;
  }

  /** The crate could not score the circuit: most likely the ground truth names edges this graph lacks. */
  showError(message: string): void {
    this.counts.replaceChildren();
    this.note.textContent = `${message}: is this the truth's model?`;
    this.element.hidden = false;
  }

  clear(): void {
    this.element.hidden = true;
    this.counts.replaceChildren();
    this.note.textContent = '';
  }
}
