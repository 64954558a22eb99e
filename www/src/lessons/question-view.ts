// A question as a form: its prompt, the answer's input (radio buttons or
// checkboxes for choices, heads and edges; a number field), what the page
// must show first (the needs, ticked off as they are met), and the buttons —
// "Lock in my prediction" for a prediction, "Check" otherwise, "Try again"
// after a wrong answer — then the feedback. Every control is a real form
// control with a label, so it works from the keyboard and a screen reader.

import { el } from '../dom';
import { feedbackView, type FeedbackHost } from './feedback-view';
import { renderInline } from './markdown';
import type { Answer } from './progress';
import type { QuestionState } from './runner';

export interface QuestionActions {
  answer(answer: Answer | null): void;
  lock(): void;
  check(): void;
  retry(): void;
  /** Takes the student to where a need is done (and focuses its control). */
  reveal(where: 'graph' | 'prompt' | 'rasp'): void;
}

let counter = 0;

export class QuestionView {
  readonly element = el('form', { class: 'question', 'data-testid': 'question', novalidate: true });
  private readonly inputs = el('div', { class: 'answer-inputs' });
  private readonly needs = el('ul', { class: 'needs', 'data-testid': 'needs', 'aria-label': 'First, on the page' });
  private readonly lockButton = el('button', { type: 'button', class: 'primary', 'data-testid': 'lock' }, 'Lock in my prediction');
  private readonly checkButton = el('button', { type: 'submit', class: 'primary', 'data-testid': 'check' }, 'Check');
  private readonly retryButton = el('button', { type: 'button', 'data-testid': 'retry' }, 'Try again');
  private readonly notice = el('p', { class: 'notice', 'data-testid': 'notice', role: 'status' });
  private readonly feedback = el('div', { class: 'feedback-slot', 'aria-live': 'polite' });
  private state: QuestionState | null = null;
  private readonly name = `answer-${++counter}`;

  constructor(
    private readonly actions: QuestionActions,
    private readonly feedbackHost: FeedbackHost,
  ) {
    this.element.append(
      this.inputs,
      this.needs,
      el('div', { class: 'question-buttons' }, this.lockButton, this.checkButton, this.retryButton),
      this.notice,
      this.feedback,
    );
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.state?.question.predict) this.actions.lock();
      else this.actions.check();
    });
    this.retryButton.addEventListener('click', () => this.actions.retry());
  }

  show(state: QuestionState): void {
    const previous = this.state;
    this.state = state;
    const q = state.question;
    this.element.dataset.kind = q.kind;
    this.element.dataset.question = q.id;
    if (previous?.question !== q || previous.options !== state.options) this.buildInputs(state);
    this.syncInputs(state);
    this.needs.replaceChildren(
      ...state.needs.map((n) => {
        const go = el('button', { type: 'button', class: 'show-me' }, 'go there');
        go.addEventListener('click', () => this.actions.reveal(n.where));
        return el('li', { class: n.met ? 'met' : 'unmet', 'data-met': String(n.met), 'data-need': n.label }, el('span', { 'aria-hidden': 'true' }, n.met ? '☑ ' : '☐ '), n.label, el('span', { class: 'visually-hidden' }, n.met ? ' (done)' : ' (to do)'), n.met ? null : go);
      }),
    );
    this.needs.hidden = state.needs.length === 0;
    const answered = state.answer !== null && !(Array.isArray(state.answer) && state.answer.length === 0);
    const needsMet = state.needs.every((n) => n.met);
    // The question's one submit button is its default: Enter in a field presses it (locks a
    // prediction in, or checks). A hidden, disabled Check would otherwise block Enter.
    this.lockButton.type = q.predict ? 'submit' : 'button';
    this.checkButton.type = q.predict ? 'button' : 'submit';
    this.lockButton.hidden = !q.predict || state.locked;
    this.lockButton.disabled = !answered;
    this.checkButton.hidden = q.predict;
    this.checkButton.disabled = !answered || !needsMet || state.checking || state.settingUp || state.result !== null;
    this.checkButton.textContent = state.checking ? 'Checking…' : 'Check';
    this.retryButton.hidden = state.result === null || state.result.correct || q.predict;
    const lockedNote = q.predict && state.locked && state.result === null ? (state.checking ? 'Revealing…' : 'Your prediction is locked in. Now do what the list above says; the answer is revealed as soon as it is done.') : '';
    this.notice.textContent = state.notice ?? lockedNote;
    this.element.dataset.state = state.result ? (state.result.correct ? 'right' : 'wrong') : state.locked ? 'locked' : 'open';
    if (previous?.result !== state.result) {
      this.feedback.replaceChildren(...(state.result ? [feedbackView(q, state.result, this.feedbackHost)] : []));
    }
  }

  /** A head clicked on the graph answers a heads question. */
  toggleHead(label: string): void {
    const s = this.state;
    if (s === null || s.question.kind !== 'heads' || s.locked || s.result !== null) return;
    if (s.question.select === 'one') this.actions.answer([label]);
    else {
      const current = Array.isArray(s.answer) ? s.answer : [];
      this.actions.answer(current.includes(label) ? current.filter((h) => h !== label) : [...current, label]);
    }
  }

  private buildInputs(state: QuestionState): void {
    const q = state.question;
    const legend = el('legend', {}, renderInline(q.prompt.value));
    if (q.kind === 'number') {
      const id = `${this.name}-number`;
      const input = el('input', { type: 'number', step: 'any', id, 'data-testid': 'answer-number', inputmode: 'decimal' });
      input.addEventListener('input', () => {
        const n = Number(input.value);
        this.actions.answer(input.value.trim() === '' || !Number.isFinite(n) ? null : n);
      });
      this.inputs.replaceChildren(el('fieldset', {}, legend, el('label', { for: id, class: 'visually-hidden' }, 'Your answer'), input));
      return;
    }
    const options = state.options;
    if (options === null) {
      this.inputs.replaceChildren(el('fieldset', {}, legend, el('p', { class: 'muted' }, 'Computing the choices…')));
      return;
    }
    const multiple = q.select === 'all';
    const type = multiple ? 'checkbox' : 'radio';
    const hint =
      q.kind === 'heads'
        ? multiple ? 'Tick every head that fits (or click heads on the graph).' : 'Pick one head (or click it on the graph).'
        : q.kind === 'edges' ? (multiple ? 'Tick every edge that fits.' : 'Pick one edge.') : multiple ? 'Tick every choice that fits.' : '';
    const byLayer = q.kind === 'heads' ? groupByLayer(options) : [['', options] as const];
    const groups = byLayer.map(([layer, list]) =>
      el(
        'div',
        { class: `choices ${q.kind}` },
        layer ? el('span', { class: 'choice-group' }, `Layer ${layer}`) : null,
        ...list.map((option, i) => {
          const id = `${this.name}-${layer}-${i}`;
          const input = el('input', { type, name: this.name, id, value: option, 'data-testid': 'answer-option' });
          input.addEventListener('change', () => this.fromInputs());
          return el('label', { for: id, class: 'choice' }, input, el('span', {}, option));
        }),
      ),
    );
    this.inputs.replaceChildren(el('fieldset', {}, legend, hint ? el('p', { class: 'muted' }, hint) : null, ...groups));
  }

  private fromInputs(): void {
    const q = this.state?.question;
    if (q === undefined) return;
    const checked = [...this.inputs.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
    if (q.kind === 'choice' && q.select === 'one') this.actions.answer(checked[0] ?? null);
    else this.actions.answer(checked);
  }

  private syncInputs(state: QuestionState): void {
    const frozen = state.locked || state.result !== null || state.checking;
    const chosen = Array.isArray(state.answer) ? state.answer : state.answer === null ? [] : [String(state.answer)];
    for (const input of this.inputs.querySelectorAll<HTMLInputElement>('input')) {
      input.disabled = frozen;
      if (input.type === 'number') {
        if (state.answer === null && input.value !== '' && Number.isFinite(Number(input.value))) input.value = '';
        continue;
      }
      input.checked = chosen.includes(input.value);
    }
  }
}

function groupByLayer(heads: readonly string[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const h of heads) {
    const layer = /^A(\d+)\./.exec(h)?.[1] ?? '';
    groups.set(layer, [...(groups.get(layer) ?? []), h]);
  }
  return [...groups];
}
