// The ground-truth overlay's legend and counts, under the graph: how the found
// circuit compares with the one the model was compiled to have. Hidden until a
// run on a model with a ground truth is done.

import { el } from '../dom';
import type { TruthScore } from '../ground-truth';

export class TruthOverlay {
  private readonly counts = el('span', { class: 'truth-counts' });
  private readonly note = el('span', { class: 'truth-note', 'data-testid': 'truth-note' });
  readonly element = el(
    'div',
    { class: 'truth-overlay', 'data-testid': 'truth', hidden: true, role: 'status' },
    el('strong', {}, 'Ground truth'),
    this.counts,
    this.note,
  );

  /** `unmatched`: ground-truth edges the loaded graph lacks (then the truth is some other model's). */
  show(score: TruthScore, truthEdges: number, unmatched: number): void {
    const item = (cls: string, testid: string, value: number, label: string) =>
      el('span', { class: `legend-item ${cls}`, 'data-testid': testid, 'data-value': value }, `${value} ${label}`);
    this.counts.replaceChildren(
      item('legend-true-positive', 'truth-tp', score.truePositives, score.truePositives === 1 ? 'true positive' : 'true positives'),
      item('legend-miss', 'truth-misses', score.misses, score.misses === 1 ? 'miss' : 'misses'),
      item('legend-extra', 'truth-extras', score.extras, score.extras === 1 ? 'extra' : 'extras'),
      el('span', { 'data-testid': 'truth-rates', 'data-tpr': score.tpr, 'data-fpr': score.fpr }, `TPR ${score.tpr.toFixed(2)} · FPR ${score.fpr.toFixed(3)}`),
    );
    const exact = score.misses === 0 && score.extras === 0;
    this.note.textContent =
      unmatched > 0
        ? `${unmatched} of the ${truthEdges} ground-truth edges are not in this graph: is this the truth's model?`
        : exact
          ? `ACDC found exactly the ${truthEdges} edges the program uses.`
          : 'Misses are ground-truth edges ACDC removed; extras are kept edges the program does not use.';
    this.element.hidden = false;
  }

  clear(): void {
    this.element.hidden = true;
    this.counts.replaceChildren();
    this.note.textContent = '';
  }
}
