// A person's own task (the crate's `CustomTask`): clean and corrupted prompts
// written as text, one pair per line, with the answers a task metric compares
// and the positions it scores. Pure: parsing and writing the editor's text,
// the URL's compact form, and the synthetic task the task picker lists. The
// model's tokenizer reads the rows in the worker (`Session.customData`), and
// its mistakes name their row.
//
// One row per line, fields separated by `|`:
//
//     clean prompt | corrupted prompt | correct answer | wrong answer(s)
//
// The answers may be left out for KL and L2, which compare with the full
// model instead. Blank lines are skipped.

import type { CustomRow, CustomTask, Scored, TaskInfo } from '../generated/wire';

/** The task picker's name for a person's own rows. */
export const CUSTOM_TASK = 'custom';

/** What the crate assumes of rows that are no task's (`resolve::OWN_DATA`): KL, τ 0.05, resample. */
export const CUSTOM_TASK_INFO: TaskInfo = {
  name: CUSTOM_TASK,
  defaultMetric: 'kl',
  defaultTau: 0.05,
  defaultAblation: 'resample',
  defaultRows: 0,
  explanation:
    'Your own prompt pairs, written below the graph: each clean prompt with a corrupted twin of the same length in tokens, and for a task metric (logit_diff, prob_diff, nll) the right next token and the wrong one(s). Any method runs on them, and "Export data.json" writes the file `circuitscope acdc|attribute --data` reads.',
};

/** The field separator of the editor's text and the URL. */
export const SEPARATOR = '|';

/** A first example for the shipped default model (induction-2l's words): induction, with a broken repeat as the corruption. */
export const EXAMPLE_TASK: CustomTask = {
  rows: [
    { clean: 'cat dog sun moon cat', corrupt: 'cat dog sun moon tree', correct: 'dog', wrong: 'sun' },
    { clean: 'fish bird lion owl fish', corrupt: 'fish bird lion owl king', correct: 'bird', wrong: 'lion' },
    { clean: 'rain snow star ship rain', corrupt: 'rain snow star ship road', correct: 'snow', wrong: 'star' },
  ],
  scored: { kind: 'last' },
};

/** The rows of the editor's text (one per non-blank line). */
export function parseRows(text: string): CustomRow[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [clean = '', corrupt = '', correct = '', ...wrong] = line.split(SEPARATOR).map((f) => f.trim());
      return { clean, corrupt, correct, wrong: wrong.join(' ').trim() };
    });
}

/** The editor's text of `rows` (answers left out when a row has none). */
export function rowsText(rows: readonly CustomRow[]): string {
  return rows
    .map((r) => {
      const fields = [r.clean, r.corrupt];
      if (r.correct !== '' || r.wrong !== '') fields.push(r.correct, r.wrong);
      return fields.join(` ${SEPARATOR} `).trimEnd();
    })
    .join('\n');
}

/** `last`, `all`, or positions such as `3` or `2, 5` (0 is the first token). Null: not one of these. */
export function parseScored(text: string): Scored | null {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'last') return { kind: 'last' };
  if (t === 'all') return { kind: 'all' };
  const parts = t.split(/[\s,]+/).filter((p) => p !== '');
  const at = parts.map(Number);
  if (at.length === 0 || at.some((p) => !Number.isInteger(p) || p < 0)) return null;
  return { kind: 'positions', at: [...new Set(at)].sort((a, b) => a - b) };
}

export function scoredText(scored: Scored): string {
  return scored.kind === 'positions' ? scored.at.join(',') : scored.kind;
}

/** The URL's query parameters of a custom task: `prompts` (the editor's text) and `scored`. */
export const CUSTOM_PARAMS = { prompts: 'prompts', scored: 'scored' } as const;

/** The custom task a query (or an element's attributes) holds, if any. */
export function parseCustomQuery(get: (name: string) => string | null): CustomTask | null {
  const prompts = get(CUSTOM_PARAMS.prompts);
  if (prompts === null || prompts.trim() === '') return null;
  const rows = parseRows(prompts);
  const scored = parseScored(get(CUSTOM_PARAMS.scored) ?? '') ?? { kind: 'last' };
  return rows.length > 0 ? { rows, scored } : null;
}

/** The query parameters that hold `task`. */
export function customQuery(task: CustomTask): [string, string][] {
  return [
    [CUSTOM_PARAMS.prompts, rowsText(task.rows)],
    [CUSTOM_PARAMS.scored, scoredText(task.scored)],
  ];
}

/** A stored value read back as a custom task (null: not one). */
export function parseStoredTask(text: string | null): CustomTask | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || !('rows' in value) || !Array.isArray(value.rows)) return null;
    const rows: CustomRow[] = value.rows.map((r: unknown) => ({
      clean: field(r, 'clean'),
      corrupt: field(r, 'corrupt'),
      correct: field(r, 'correct'),
      wrong: field(r, 'wrong'),
    }));
    const scoredValue = 'scored' in value && typeof value.scored === 'object' && value.scored !== null ? value.scored : null;
    const scored = scoredValue ? parseScored(scoredFromJson(scoredValue)) : null;
    return rows.length > 0 ? { rows, scored: scored ?? { kind: 'last' } } : null;
  } catch {
    return null;
  }
}

function field(row: unknown, name: string): string {
  if (typeof row !== 'object' || row === null || !(name in row)) return '';
  const value: unknown = Reflect.get(row, name);
  return typeof value === 'string' ? value : '';
}

function scoredFromJson(value: object): string {
  const kind = 'kind' in value ? value.kind : null;
  if (kind === 'positions' && 'at' in value && Array.isArray(value.at)) return value.at.join(',');
  return typeof kind === 'string' ? kind : '';
}

/** Whether two tasks say the same. */
export function sameTask(a: CustomTask | null, b: CustomTask | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
