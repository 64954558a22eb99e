// "Load weights from disk…": a safetensors file (optionally with a config.json
// and tokenizer.json picked alongside) for the current model's architecture.

import { el } from '../dom';

export interface PickedFiles {
  weights: File;
  config?: File;
  tokenizer?: File;
}

export class WeightsInput {
  private readonly input = el('input', {
    id: 'weights-file',
    type: 'file',
    accept: '.safetensors,.json',
    multiple: true,
    'data-testid': 'weights-file',
    class: 'visually-hidden',
  });
  readonly element = el(
    'div',
    { class: 'weights' },
    el('label', { for: 'weights-file', class: 'button' }, 'Load weights from disk…'),
    this.input,
  );

  /** @param onPick called with the picked files; `onMissing` when no weights file is among them. */
  constructor(onPick: (files: PickedFiles) => void, onMissing: (names: string[]) => void) {
    this.input.addEventListener('change', () => {
      const files = [...(this.input.files ?? [])];
      // Reset so that picking the same file again fires `change` again.
      this.input.value = '';
      if (files.length === 0) return;
      const weights = files.find((f) => !f.name.endsWith('.json'));
      if (weights === undefined) {
        onMissing(files.map((f) => f.name));
        return;
      }
      onPick({
        weights,
        config: files.find((f) => f.name.endsWith('config.json')),
        tokenizer: files.find((f) => f.name.endsWith('tokenizer.json')),
      });
    });
  }
}
