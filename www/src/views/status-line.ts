// One line that says what the page is doing: loading, ready, and what a run
// is doing (running, paused, and at the end what it found). It is a polite
// live region, so screen readers hear each change, the end of a run
// included. `data-state` is for tests and styles: starting | loading | ready
// | busy | failed (a run in progress is `ready`: a model is loaded).

import { el } from '../dom';
import type { Loaded } from '../models/model-host';
import { progressMegabytes } from '../read-body';

export type StatusState = 'starting' | 'loading' | 'ready' | 'busy' | 'failed';

export class StatusLine {
  private readonly text = el('span', { class: 'status-text' });
  private readonly bar = el('progress', { class: 'status-progress', max: 1, hidden: true });
  readonly element = el(
    'p',
    { class: 'status', 'data-testid': 'status', 'data-state': 'starting', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' },
    this.text,
    this.bar,
  );

  set(state: StatusState, text: string): void {
    this.element.dataset.state = state;
    if (this.text.textContent !== text) this.text.textContent = text;
    this.element.title = text;
    this.bar.hidden = true;
  }

  /** Download progress of the weights; `total` null shows an indeterminate bar. */
  progress(label: string, bytes: number, total: number | null): void {
    this.element.dataset.state = 'loading';
    this.text.textContent = `${label} ${progressMegabytes(bytes)}${total === null ? '' : ` / ${progressMegabytes(total)}`}`;
    this.bar.hidden = false;
    if (total === null) this.bar.removeAttribute('value');
    else this.bar.value = total > 0 ? bytes / total : 1;
  }
}

/**
 * What the status line says once nothing is loading: the model, and what a run
 * says of itself (`runStatus`; null: nothing) — instead of "Ready" while the
 * run is in progress (`active`), after it once it is over.
 */
export function readyText(loaded: Loaded, runStatus: string | null, active: boolean): string {
  const model = `${loaded.entry.id}${loaded.source ? ` (${loaded.source})` : ''}`;
  if (runStatus === null) return `Ready: ${model}`;
  return active ? `${model}: ${runStatus}` : `Ready: ${model}. ${runStatus}`;
}
