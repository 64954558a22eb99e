// Run / Pause / Step one edge / Reset, and the speed (edges per frame).

import { el } from '../dom';
import { SPEEDS, type Speed } from '../protocol';

/** Where a run stands, as the page sees it. */
/**
 * `pausing`: Pause (or Step) was pressed and the worker has not yet said that
 * it stopped; a batch in flight may still land. `paused` comes only from the
 * worker's `paused` message, so nothing moves once it shows.
 */
export type RunPhase = 'idle' | 'starting' | 'running' | 'pausing' | 'paused' | 'done' | 'failed';

/** A run is under way (paused included): its settings are fixed until it ends. */
export function isActive(phase: RunPhase): boolean {
  return phase === 'starting' || phase === 'running' || phase === 'pausing' || phase === 'paused';
}

export interface RunActions {
  run(): void;
  pause(): void;
  resume(): void;
  step(): void;
  reset(): void;
  speed(speed: Speed): void;
}

const PRIMARY: Record<RunPhase, string> = {
  idle: 'Run',
  starting: 'Starting…',
  running: 'Pause',
  pausing: 'Pausing…',
  paused: 'Resume',
  done: 'Run again',
  failed: 'Run',
};

export class RunButtons {
  private readonly primary = el('button', { type: 'button', class: 'primary', 'data-testid': 'run' }, 'Run');
  private readonly stepButton = el(
    'button',
    { type: 'button', 'data-testid': 'step', title: 'Test exactly one more edge' },
    'Step one edge',
  );
  private readonly resetButton = el('button', { type: 'button', 'data-testid': 'reset' }, 'Reset');
  private readonly speedSelect = el('select', { id: 'speed', 'data-testid': 'speed' });
  readonly element = el(
    'div',
    { class: 'run-buttons', role: 'group', 'aria-label': 'Run controls' },
    this.primary,
    this.stepButton,
    this.resetButton,
    el(
      'span',
      { class: 'speed', title: 'How many edges ACDC decides between two pictures' },
      el('label', { for: 'speed' }, 'Speed'),
      this.speedSelect,
    ),
  );
  private phase: RunPhase = 'idle';

  constructor(actions: RunActions) {
    this.speedSelect.append(
      ...SPEEDS.map((s) => el('option', { value: String(s) }, s === 'max' ? 'fastest' : `${s} edge${s === 1 ? '' : 's'}/frame`)),
    );
    this.primary.addEventListener('click', () => {
      if (this.phase === 'running') actions.pause();
      else if (this.phase === 'paused' || this.phase === 'pausing') actions.resume();
      else if (this.phase !== 'starting') actions.run();
    });
    this.stepButton.addEventListener('click', () => actions.step());
    this.resetButton.addEventListener('click', () => actions.reset());
    this.speedSelect.addEventListener('change', () => {
      const speed = SPEEDS.find((s) => String(s) === this.speedSelect.value);
      if (speed !== undefined) actions.speed(speed);
    });
  }

  /** `ready`: a model and task data are loaded, so a run can start. */
  show(phase: RunPhase, ready: boolean): void {
    this.phase = phase;
    this.primary.textContent = PRIMARY[phase];
    this.primary.dataset.phase = phase;
    const canStart = ready && phase !== 'starting';
    const live = phase === 'running' || phase === 'pausing' || phase === 'paused';
    this.primary.disabled = live ? false : !canStart;
    this.stepButton.disabled = !(live || (canStart && phase !== 'done'));
    this.resetButton.disabled = phase === 'idle';
  }

  set speed(speed: Speed) {
    this.speedSelect.value = String(speed);
  }

  /** Puts the keyboard on Run (the skip link's target). */
  focus(): void {
    this.primary.focus();
  }
}
