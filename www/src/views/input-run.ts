// "Does the model compute the program?" on one input: the input's tokens,
// what the program outputs at each position (the interpreter) and what the
// compiled model outputs, with a mark where they disagree.

import { el } from '../dom';
import type { InputRun } from '../generated/wire';

export class InputRunView {
  private readonly input = el('input', {
    type: 'text',
    id: 'rasp-input',
    class: 'rasp-input',
    'data-testid': 'rasp-input',
    placeholder: 'tokens separated by spaces',
    spellcheck: false,
  });
  private readonly button = el('button', { type: 'button', 'data-testid': 'rasp-run' }, 'Run program and model');
  private readonly table = el('table', { class: 'input-run', 'data-testid': 'input-run', hidden: true });
  private readonly verdict = el('p', { class: 'input-verdict', 'data-testid': 'input-verdict' });
  readonly element = el(
    'section',
    { class: 'rasp-try', 'aria-label': 'Run the program and its model on an input' },
    el('div', { class: 'rasp-bar' }, el('label', { for: 'rasp-input' }, 'Input'), this.input, this.button),
    this.table,
    this.verdict,
  );

  /** @param onRun the user asked to run this input. */
  constructor(onRun: (input: string) => void) {
    this.button.addEventListener('click', () => onRun(this.input.value));
    this.input.addEventListener('keydown', (event) => {
      if (event instanceof KeyboardEvent && event.key === 'Enter') onRun(this.input.value);
    });
  }

  /** Offers `example` as the input unless one is typed. */
  suggest(example: string): void {
    if (this.input.value.trim() === '') this.input.value = example;
  }

  setEnabled(enabled: boolean): void {
    this.button.disabled = !enabled;
  }

  show(run: InputRun): void {
    const row = (head: string, cells: (string | null)[], testid: string) =>
      el('tr', { 'data-testid': testid }, el('th', { scope: 'row' }, head), ...cells.map((c) => el('td', {}, c ?? '—')));
    const marks = run.agree.map((a) => (a ? '✓' : '✗'));
    this.table.replaceChildren(
      row('input', run.input, 'run-input'),
      row(`program (${run.output})`, run.program, 'run-program'),
      row('model', run.model, 'run-model'),
      row('', marks, 'run-agree'),
    );
    this.table.hidden = false;
    const wrong = run.agree.filter((a) => !a).length;
    this.verdict.dataset.agree = String(wrong === 0);
    this.verdict.textContent =
      wrong === 0
        ? 'The weights compute the program at every position (— : the program has no value there).'
        : `The model disagrees with the program at ${wrong} position${wrong === 1 ? '' : 's'}.`;
  }

  showError(message: string): void {
    this.table.hidden = true;
    delete this.verdict.dataset.agree;
    this.verdict.textContent = message;
  }
}
