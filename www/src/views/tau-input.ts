// τ, the threshold: a log-scale slider from 1e-4 to 1 beside a number input
// that takes any positive value. Both show the same τ. Under them, what τ
// does, and, when the run shown used another τ (or is still going), why its
// τ cannot change and a button to re-run at the τ chosen here.

import { el } from '../dom';
import { formatTau } from '../charts/format';
import { sliderToTau, tauToSlider, TAU_MAX, TAU_MIN } from '../state/settings';

const STEPS = 400;

export class TauInput {
  private readonly slider: HTMLInputElement;
  private readonly number: HTMLInputElement;
  private readonly note = el('p', { class: 'tau-note', 'data-testid': 'tau-note', id: 'tau-note' });
  private readonly rerun = el('button', { type: 'button', class: 'tau-rerun', 'data-testid': 'tau-rerun', hidden: true });
  readonly element: HTMLElement;
  private tau = 0.05;
  private runTau: number | null = null;
  private runActive = false;
  private onRerun: (() => void) | null = null;

  /** @param onChange called with a new valid τ (on release of the slider, or a committed number). */
  constructor(idPrefix: string, onChange: (tau: number) => void) {
    this.slider = el('input', {
      type: 'range',
      min: 0,
      max: STEPS,
      step: 1,
      id: `${idPrefix}-tau-slider`,
      'aria-label': `τ on a log scale from ${TAU_MIN} to ${TAU_MAX}`,
      'aria-describedby': 'tau-note',
      'data-testid': 'tau-slider',
    });
    this.number = el('input', {
      type: 'number',
      min: 0,
      step: 'any',
      id: `${idPrefix}-tau`,
      class: 'tau-number',
      'aria-describedby': 'tau-note',
      'data-testid': 'tau',
    });
    this.element = el(
      'div',
      { class: 'field tau-field' },
      el('label', { for: `${idPrefix}-tau` }, 'τ (threshold)'),
      el('div', { class: 'tau-row' }, this.slider, this.number),
      this.note,
      this.rerun,
    );
    this.rerun.addEventListener('click', () => this.onRerun?.());
    this.showNote();
    this.slider.addEventListener('input', () => {
      this.number.value = String(sliderToTau(Number(this.slider.value) / STEPS));
    });
    this.slider.addEventListener('change', () => this.commit(sliderToTau(Number(this.slider.value) / STEPS), onChange));
    this.number.addEventListener('change', () => this.commit(Number(this.number.value), onChange));
  }

  private commit(tau: number, onChange: (tau: number) => void): void {
    if (!Number.isFinite(tau) || tau <= 0) {
      this.set(this.tau);
      return;
    }
    this.set(tau);
    onChange(tau);
  }

  set(tau: number): void {
    this.tau = tau;
    this.number.value = String(tau);
    this.slider.value = String(Math.round(tauToSlider(tau) * STEPS));
    this.showNote();
  }

  /**
   * The run the page shows: its τ (null: none) and whether it is still
   * going; `rerun` starts a new run at the τ chosen here.
   */
  showRun(runTau: number | null, active: boolean, rerun: () => void): void {
    this.runTau = runTau;
    this.runActive = active;
    this.onRerun = rerun;
    this.showNote();
  }

  private showNote(): void {
    const { runTau, tau } = this;
    const differs = runTau !== null && runTau !== tau;
    if (runTau !== null && this.runActive) {
      this.note.textContent = differs
        ? `The run in progress keeps τ = ${formatTau(runTau)}: every one of its decisions compares an edge’s effect with it.`
        : `Locked for the run in progress: every one of its decisions compares an edge’s effect with τ = ${formatTau(runTau)}. Pick another τ to re-run with it.`;
    } else if (differs) {
      this.note.textContent = `The graph shows the run at τ = ${formatTau(runTau)}.`;
    } else {
      this.note.textContent = 'An edge is kept when removing it raises the metric by τ or more: a larger τ keeps fewer edges.';
    }
    this.element.dataset.locked = String(runTau !== null && this.runActive);
    this.rerun.hidden = !differs;
    this.rerun.textContent = `Re-run at τ = ${formatTau(tau)}`;
  }

  setEnabled(enabled: boolean): void {
    this.slider.disabled = !enabled;
    this.number.disabled = !enabled;
  }
}
