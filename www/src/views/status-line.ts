// One line that says what the page is doing. `data-state` is for tests and
// styles: starting | loading | ready | busy | failed.

import { el } from '../dom';
import { progressMegabytes } from '../read-body';

export type StatusState = 'starting' | 'loading' | 'ready' | 'busy' | 'failed';

export class StatusLine {
  private readonly text = el('span', { class: 'status-text' });
  private readonly bar = el('progress', { class: 'status-progress', max: 1, hidden: true });
  readonly element = el(
    'p',
    { class: 'status', 'data-testid': 'status', 'data-state': 'starting', role: 'status', 'aria-live': 'polite' },
    this.text,
    this.bar,
  );

  set(state: StatusState, text: string): void {
    this.element.dataset.state = state;
    this.text.textContent = text;
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
