// The RASP editor: a program's text, the shipped programs as examples, and a
// Compile button. A program that does not compile is pointed at (line,
// column, and the line itself with a caret); the text is never lost: it is
// kept in localStorage as it is typed, and an example replaces it only when
// picked. The example menu names the example the text is (else "Edited
// program"); "Run ACDC" beside Compile runs the compiled model's circuit
// discovery without leaving the editor's side of the page.

import { el } from '../dom';
import type { CompileFailure } from '../generated/wire';

/** A shipped program: its model id and source. */
export interface RaspExample {
  id: string;
  source: string;
}

const STORAGE_KEY = 'circuitscope.rasp.source';

export class RaspEditor {
  private readonly examples = el('select', { id: 'rasp-example', 'data-testid': 'rasp-example' });
  private readonly text = el('textarea', {
    id: 'rasp-source',
    class: 'rasp-source',
    'data-testid': 'rasp-source',
    spellcheck: false,
    rows: 12,
    'aria-label': 'RASP program',
  });
  private readonly compileButton = el('button', { type: 'button', class: 'primary', 'data-testid': 'rasp-compile' }, 'Compile');
  private readonly runButton = el(
    'button',
    { type: 'button', 'data-testid': 'rasp-run-acdc', disabled: true, title: 'Find the circuit of the compiled model (the graph above)' },
    'Run ACDC',
  );
  private readonly message = el('div', { class: 'rasp-error', 'data-testid': 'rasp-error', role: 'alert', hidden: true });
  private readonly note = el('span', { class: 'rasp-note', 'data-testid': 'rasp-note', role: 'status' });
  readonly element = el(
    'section',
    { class: 'rasp-editor', 'aria-label': 'RASP editor' },
    el(
      'div',
      { class: 'rasp-bar' },
      el('label', { for: 'rasp-example' }, 'Example'),
      this.examples,
      this.compileButton,
      this.runButton,
      this.note,
    ),
    this.text,
    this.message,
  );
  private list: RaspExample[] = [];

  /**
   * @param onCompile the user asked to compile this text.
   * @param onRun the user asked to run ACDC on the compiled model.
   */
  constructor(onCompile: (source: string) => void, onRun: () => void = () => undefined) {
    this.text.value = readSaved() ?? '';
    this.compileButton.addEventListener('click', () => onCompile(this.text.value));
    this.runButton.addEventListener('click', () => onRun());
    this.text.addEventListener('keydown', (event) => {
      if (event instanceof KeyboardEvent && event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        onCompile(this.text.value);
      }
    });
    this.text.addEventListener('input', () => {
      save(this.text.value);
      // Edited: the menu names the example only while the text is that example.
      this.showExample();
    });
    this.examples.addEventListener('change', () => {
      const example = this.list.find((e) => e.id === this.examples.value);
      if (example) this.setSource(example.source);
    });
  }

  /** The shipped programs; the first fills an empty editor. */
  setExamples(examples: RaspExample[]): void {
    this.list = examples;
    this.examples.replaceChildren(
      el('option', { value: '', 'data-edited': true }, 'Pick an example…'),
      ...examples.map((e) => el('option', { value: e.id }, e.id.replace(/^tracr-/, ''))),
    );
    if (this.text.value.trim() === '' && examples[0]) this.setSource(examples[0].source);
    this.showExample();
  }

  /**
   * A shipped compiled model became the current one (picked in the model
   * list): the editor shows its program unless it holds an edited one.
   */
  showLoaded(id: string): void {
    const example = this.list.find((e) => e.id === id);
    if (example === undefined || this.examples.value === id) return;
    if (this.examples.value !== '' || this.text.value.trim() === '') {
      this.setSource(example.source);
      this.showNote(`${id} (from the model list) is the current model.`);
    } else {
      this.showNote(`${id} (from the model list) is the current model; the editor keeps your program.`);
    }
  }

  /** The menu names the example whose text the editor holds, else says the text is edited. */
  private showExample(): void {
    const source = this.text.value.trim();
    const match = this.list.find((e) => e.source.trim() === source);
    this.examples.value = match?.id ?? '';
    const blank = this.examples.querySelector<HTMLOptionElement>('option[data-edited]');
    if (blank) blank.textContent = match || source === '' ? 'Pick an example…' : 'Edited program (pick an example…)';
  }

  /** "Run ACDC" is offered while a compiled model is current and a run may start. */
  setRunEnabled(enabled: boolean): void {
    this.runButton.disabled = !enabled;
  }

  get source(): string {
    return this.text.value;
  }

  /** Puts `source` in the editor (kept, as typed text is). */
  load(source: string): void {
    this.setSource(source);
    this.examples.value = this.list.find((e) => e.source === source)?.id ?? '';
  }

  setEnabled(enabled: boolean): void {
    this.compileButton.disabled = !enabled;
  }

  /** Points at the error in the text, and selects its place. */
  showError(error: CompileFailure): void {
    const line = this.text.value.split('\n')[error.line - 1] ?? '';
    const caret = `${' '.repeat(Math.max(0, error.column - 1))}^`;
    this.message.replaceChildren(
      el('p', {}, el('strong', {}, `Line ${error.line}, column ${error.column}: `), error.message),
      el('pre', {}, `${line}\n${caret}`),
      el('p', { class: 'rasp-kept' }, 'The previous model is still loaded.'),
    );
    this.message.dataset.line = String(error.line);
    this.message.dataset.column = String(error.column);
    this.message.hidden = false;
    this.note.textContent = '';
    const offset = offsetOf(this.text.value, error.line, error.column);
    this.text.setSelectionRange(offset, Math.min(this.text.value.length, offset + 1));
  }

  /** A compile went through (or is under way): the note says so. */
  showNote(note: string): void {
    this.message.hidden = true;
    this.message.replaceChildren();
    this.note.textContent = note;
  }

  private setSource(source: string): void {
    this.text.value = source;
    save(source);
    this.message.hidden = true;
    this.showExample();
  }
}

/** The character offset of a 1-based line and column. */
export function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

function readSaved(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function save(source: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, source);
  } catch {
    // Storage may be off (private mode, an iframe): the text stays in the editor.
  }
}
