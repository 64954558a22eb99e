// The prompt and the Predict button; Enter submits.

import { el } from '../dom';

export class PromptForm {
  private readonly input = el('input', {
    id: 'prompt',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'Type a prompt…',
    'data-testid': 'prompt',
  });
  private readonly button = el('button', { type: 'submit', 'data-testid': 'predict' }, 'Predict');
  readonly element = el(
    'form',
    { class: 'prompt-form' },
    el('label', { for: 'prompt' }, 'Prompt'),
    el('div', { class: 'prompt-row' }, this.input, this.button),
  );

  constructor(onSubmit: (prompt: string) => void) {
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!this.button.disabled) onSubmit(this.input.value);
    });
  }

  /** Predict is offered only while a model is loaded and the worker is idle. */
  setEnabled(enabled: boolean): void {
    this.button.disabled = !enabled;
  }

  set value(prompt: string) {
    this.input.value = prompt;
  }
}
