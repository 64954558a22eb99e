// The ground-truth overlay's legend and counts, under the graph: how the found
// circuit compares with the one the model was compiled to have, as the crate
// scores it (`TruthOverlay`: true positives, misses, extras, TPR and FPR over
// ADDITION and DIRECT_COMPUTATION edges). Hidden until a run on a model with a
// ground truth is done.

import { el } from '../dom';
import type { TruthOverlay } from '../generated/wire';

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
