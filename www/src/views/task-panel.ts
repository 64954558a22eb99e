// What the task asks of the model: its explanation and one clean/corrupted
// pair of its data, as text.

import { el } from '../dom';
import type { TaskData, TaskInfo } from '../generated/wire';

export class TaskPanel {
  private readonly explanation = el('p', { class: 'task-explanation', 'data-testid': 'task-explanation' });
  private readonly clean = el('code', { 'data-testid': 'sample-clean' });
  private readonly corrupt = el('code', { 'data-testid': 'sample-corrupt' });
  private readonly sample = el(
    'dl',
    { class: 'task-sample', hidden: true },
    el('dt', {}, 'clean'),
    el('dd', {}, this.clean),
    el('dt', {}, 'corrupted'),
    el('dd', {}, this.corrupt),
  );
  readonly element = el('div', { class: 'task-panel' }, this.explanation, this.sample);

  showTask(task: TaskInfo | undefined): void {
    this.explanation.textContent = task?.explanation ?? '';
  }

  /** The first row of the task's data; null hides the pair. */
  showData(data: TaskData | null): void {
    this.sample.hidden = data === null || data.cleanText.length === 0;
    this.clean.textContent = data?.cleanText[0] ?? '';
    this.corrupt.textContent = data?.corruptText[0] ?? '';
  }
}
