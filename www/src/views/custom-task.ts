// The editor of a person's own task (state/custom-task.ts): clean and
// corrupted prompts written as text, one pair per line with the answers, and
// the positions the metric scores. "Check" has the model's tokenizer read
// them (a mistake names its row and word); "Use as the task" makes them the
// data every method runs on; "Export data.json" writes the file
// `circuitscope acdc|attribute --data` reads, for the metric chosen.

import { el } from '../dom';
import { messageOf } from '../errors';
import type { CustomTask, TaskData } from '../generated/wire';
import { download } from '../graph/export';
import { CUSTOM_TASK, parseRows, parseScored, rowsText, sameTask, scoredText, SEPARATOR } from '../state/custom-task';
import type { PageState } from '../state/page-state';
import type { Settings } from '../state/settings';
import type { WorkerClient } from '../worker-client';

export interface CustomTaskHost {
  client(): WorkerClient;
  readonly state: PageState;
  changeSettings(patch: Partial<Settings>): void;
}

export class CustomTaskEditor {
  private readonly rows = el('textarea', {
    id: 'custom-rows',
    rows: 6,
    spellcheck: false,
    class: 'custom-rows',
    'data-testid': 'custom-rows',
    'aria-describedby': 'custom-help',
  });
  private readonly scored = el('input', {
    type: 'text',
    id: 'custom-scored',
    class: 'custom-scored',
    placeholder: 'last',
    'data-testid': 'custom-scored',
  });
  private readonly checkButton = el('button', { type: 'button', 'data-testid': 'custom-check' }, 'Check');
  private readonly useButton = el('button', { type: 'button', class: 'primary', 'data-testid': 'custom-use' }, 'Use as the task');
  private readonly exportButton = el('button', { type: 'button', 'data-testid': 'custom-export' }, 'Export data.json');
  private readonly message = el('p', { class: 'custom-message', role: 'status', 'data-testid': 'custom-message' });
  private readonly tokens = el('table', { class: 'custom-tokens', 'data-testid': 'custom-tokens' });
  readonly element: HTMLDetailsElement;
  private request = 0;

  constructor(private readonly host: CustomTaskHost) {
    this.element = el(
      'details',
      { class: 'panel custom-task', 'data-testid': 'custom-task' },
      el('summary', {}, 'Your own task: prompt pairs'),
      el(
        'p',
        { id: 'custom-help', class: 'hint' },
        `One pair per line: clean prompt ${SEPARATOR} corrupted prompt ${SEPARATOR} right next token ${SEPARATOR} wrong next token(s). ` +
          'Both prompts of a row must be the same length in tokens, and every row the same length. The answers are needed for logit_diff, prob_diff and nll; KL and L2 compare with the full model instead.',
      ),
      el('label', { for: 'custom-rows' }, 'Rows'),
      this.rows,
      el(
        'div',
        { class: 'field custom-scored-field' },
        el('label', { for: 'custom-scored' }, 'Scored positions'),
        this.scored,
        el('span', { class: 'hint' }, 'last, all, or positions such as 3,5 (0 is the first token)'),
      ),
      el('div', { class: 'custom-actions' }, this.useButton, this.checkButton, this.exportButton),
      this.message,
      this.tokens,
    );
    this.useButton.addEventListener('click', () => void this.use());
    this.checkButton.addEventListener('click', () => void this.check());
    this.exportButton.addEventListener('click', () => void this.exportData());
    host.state.watch(['custom'], () => this.showTask(host.state.custom));
    host.state.watch(['settings'], () => this.showChosen());
    this.showTask(host.state.custom);
  }

  /** Open the editor (a link to a custom task, or the task picked in the form). */
  open(): void {
    this.element.open = true;
  }

  setEnabled(enabled: boolean): void {
    for (const b of [this.useButton, this.checkButton, this.exportButton]) b.disabled = !enabled;
  }

  private showTask(task: CustomTask): void {
    const current = this.read();
    if (current !== null && sameTask(current, task)) return;
    this.rows.value = rowsText(task.rows);
    this.scored.value = scoredText(task.scored);
  }

  private showChosen(): void {
    const chosen = this.host.state.settings?.task === CUSTOM_TASK;
    this.element.dataset.chosen = String(chosen);
    if (chosen) this.open();
  }

  /** The task as written; null (after saying why) when the positions are unreadable or no row is written. */
  private read(): CustomTask | null {
    const scored = parseScored(this.scored.value);
    const rows = parseRows(this.rows.value);
    if (scored === null || rows.length === 0) return null;
    return { rows, scored };
  }

  private readOrSay(): CustomTask | null {
    const task = this.read();
    if (task !== null) return task;
    const problem =
      parseScored(this.scored.value) === null
        ? `"${this.scored.value}" is not last, all, or a list of positions`
        : 'write at least one row: a clean prompt, then | and its corrupted twin';
    this.say(problem, true);
    return null;
  }

  /** The rows as the model's tokenizer reads them, for the chosen metric. */
  private async tokenize(task: CustomTask): Promise<{ data: unknown; view: TaskData } | null> {
    const metric = this.host.state.settings?.metric ?? 'kl';
    const request = ++this.request;
    this.say('Reading the rows with the model’s tokenizer…', false);
    try {
      const out = await this.host.client().customData(task, metric);
      if (request !== this.request) return null;
      this.showTokens(out.view);
      this.say(`${out.view.clean.length} rows of ${out.view.clean[0]?.length ?? 0} tokens, read for ${metric}.`, false);
      return out;
    } catch (error) {
      if (request === this.request) {
        this.tokens.replaceChildren();
        this.say(messageOf(error), true);
      }
      return null;
    }
  }

  private async check(): Promise<void> {
    const task = this.readOrSay();
    if (task) await this.tokenize(task);
  }

  /** Makes the rows the task (they are checked first: rows the tokenizer refuses stay out). */
  private async use(): Promise<void> {
    const task = this.readOrSay();
    if (task === null || (await this.tokenize(task)) === null) return;
    this.host.state.update({ custom: task });
    this.host.changeSettings({ task: CUSTOM_TASK });
  }

  private async exportData(): Promise<void> {
    const task = this.readOrSay();
    const out = task ? await this.tokenize(task) : null;
    if (out === null) return;
    download('data.json', new Blob([`${JSON.stringify(out.data)}\n`], { type: 'application/json' }));
  }

  private say(text: string, error: boolean): void {
    this.message.textContent = text;
    this.message.classList.toggle('error', error);
    this.message.dataset.state = error ? 'error' : 'ok';
  }

  private showTokens(view: TaskData): void {
    const head = el('tr', {}, el('th', {}, 'row'), el('th', {}, 'clean, as tokens'), el('th', {}, 'corrupted'), el('th', {}, 'tokens'));
    const rows = view.cleanText.map((clean, i) =>
      el(
        'tr',
        {},
        el('td', {}, String(i + 1)),
        el('td', {}, el('code', {}, clean)),
        el('td', {}, el('code', {}, view.corruptText[i] ?? '')),
        el('td', {}, String(view.clean[i]?.length ?? 0)),
      ),
    );
    this.tokens.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
  }
}
