// τ, the threshold: a log-scale slider from 1e-4 to 1 beside a number input
// that takes any positive value. Both show the same τ.

import { el } from '../dom';
import { sliderToTau, tauToSlider, TAU_MAX, TAU_MIN } from '../state/settings';

const STEPS = 400;

export class TauInput {
  private readonly slider: HTMLInputElement;
  private readonly number: HTMLInputElement;
  readonly element: HTMLElement;
  private tau = 0.05;

  /** @param onChange called with a new valid τ (on release of the slider, or a committed number). */
  constructor(idPrefix: string, onChange: (tau: number) => void) {
    this.slider = el('input', {
      type: 'range',
      min: 0,
      max: STEPS,
      step: 1,
      id: `${idPrefix}-tau-slider`,
      'aria-label': `τ on a log scale from ${TAU_MIN} to ${TAU_MAX}`,
      'data-testid': 'tau-slider',
    });
    this.number = el('input', {
      type: 'number',
      min: 0,
      step: 'any',
      id: `${idPrefix}-tau`,
      class: 'tau-number',
      'data-testid': 'tau',
    });
    this.element = el(
      'div',
      { class: 'field tau-field' },
      el('label', { for: `${idPrefix}-tau` }, 'τ (threshold)'),
      el('div', { class: 'tau-row' }, this.slider, this.number),
    );
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
  }

  setEnabled(enabled: boolean): void {
    this.slider.disabled = !enabled;
    this.number.disabled = !enabled;
  }
}
