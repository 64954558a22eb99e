// The bodies of a lesson's fenced blocks: `key: value` lines (a value may go
// on over indented lines, or be a list of `- item` lines), read into a Setup
// or a Question (format.ts). Values are checked for their shape here; names
// of models, tasks, heads and edges are checked against the page later
// (validate.ts).

import { ABLATIONS, METRICS, VISIT_MODES } from '../generated/wire';
import {
  QUESTION_KINDS,
  type LessonError,
  type Located,
  type MeasureCall,
  type Need,
  type Question,
  type Setup,
} from './format';

interface Entry {
  key: string;
  value: string;
  list: string[] | null;
  line: number;
}

/** `key: value` lines from `body`, whose first line is line `first` of the file. */
export function keyValues(body: string[], first: number, errors: LessonError[]): Entry[] {
  const entries: Entry[] = [];
  body.forEach((raw, i) => {
    const line = first + i;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const last = entries[entries.length - 1];
    const item = /^\s*-\s+(.*)$/.exec(raw);
    if (item && last && last.value === '') {
      (last.list ??= []).push(item[1].trim());
      return;
    }
    if (/^\s/.test(raw) && last) {
      last.value = last.value === '' ? raw.trim() : `${last.value}\n${raw.trim()}`;
      return;
    }
    const match = /^([a-z][a-z-]*)\s*:\s*(.*)$/.exec(raw);
    if (!match) {
      errors.push({ line, message: `expected "key: value", found "${raw.trim()}"` });
      return;
    }
    if (entries.some((e) => e.key === match[1])) errors.push({ line, message: `"${match[1]}" is given twice` });
    entries.push({ key: match[1], value: match[2].trim(), list: null, line });
  });
  return entries;
}

const SETUP_KEYS = [
  'model', 'task', 'algorithm', 'metric', 'ablation', 'tau', 'seed', 'indices', 'names',
  'prompt', 'row', 'head', 'edge', 'lens', 'run', 'speed', 'rasp', 'sweep',
];

export function parseSetup(body: string[], first: number, errors: LessonError[]): Setup {
  const setup: Setup = { line: first - 1 };
  for (const { key, value, line } of keyValues(body, first, errors)) {
    const text = { value, line };
    const oneOf = (allowed: readonly string[]): Located<string> | undefined => {
      if (allowed.includes(value)) return text;
      errors.push({ line, message: `${key} "${value}" is not one of ${allowed.join(', ')}` });
      return undefined;
    };
    const number = (integer: boolean, positive: boolean): Located<number> | undefined => {
      const n = Number(value);
      const ok = value !== '' && Number.isFinite(n) && (!integer || Number.isInteger(n)) && (positive ? n > 0 : n >= 0);
      if (ok) return { value: n, line };
      errors.push({ line, message: `${key} must be ${integer ? 'a whole number' : 'a number'} ${positive ? '> 0' : '≥ 0'}, not "${value}"` });
      return undefined;
    };
    switch (key) {
      case 'prompt':
        // `prompt: none`: the rows of the task data again.
        if (value === '') errors.push({ line, message: 'prompt is empty (write "prompt: none" to go back to the task\'s rows)' });
        else setup.prompt = { value: value === 'none' ? '' : value, line };
        break;
      case 'model': case 'task': case 'algorithm': case 'head': case 'edge': case 'rasp':
        if (value === '') errors.push({ line, message: `${key} is empty` });
        else setup[key] = text;
        break;
      case 'metric':
        setup.metric = oneOf(METRICS);
        break;
      case 'ablation':
        setup.ablation = oneOf(ABLATIONS);
        break;
      case 'indices': case 'names':
        setup[key] = oneOf(VISIT_MODES);
        break;
      case 'tau':
        setup.tau = number(false, true);
        break;
      case 'seed': case 'row':
        setup[key] = number(true, false);
        break;
      case 'lens':
        if (value === 'on' || value === 'off') setup.lens = { value: value === 'on', line };
        else errors.push({ line, message: 'lens is "on" or "off"' });
        break;
      case 'run': {
        const run = (['none', 'paused', 'done'] as const).find((r) => r === value);
        if (run) setup.run = { value: run, line };
        else errors.push({ line, message: `run "${value}" is not one of none, paused, done` });
        break;
      }
      case 'speed':
        setup.speed = oneOf(['1', '5', '20', 'max']);
        break;
      case 'sweep': {
        const taus = value.split(/[\s,]+/).filter(Boolean).map(Number);
        if (taus.length < 2 || taus.some((t) => !Number.isFinite(t) || t <= 0)) {
          errors.push({ line, message: 'sweep lists two or more τ values > 0: "sweep: 0.3, 0.1, 0.03"' });
        } else setup.sweep = { value: taus, line };
        break;
      }
      default:
        errors.push({ line, message: `unknown setup key "${key}" (known: ${SETUP_KEYS.join(', ')})` });
    }
  }
  return setup;
}

const QUESTION_KEYS = ['id', 'kind', 'prompt', 'options', 'answer', 'tolerance', 'select', 'among', 'predict', 'needs', 'explain', 'hint'];

export function parseQuestion(body: string[], first: number, stepId: string, errors: LessonError[]): Question | undefined {
  const entries = keyValues(body, first, errors);
  const get = (key: string) => entries.find((e) => e.key === key);
  for (const e of entries) {
    if (!QUESTION_KEYS.includes(e.key)) errors.push({ line: e.line, message: `unknown question key "${e.key}" (known: ${QUESTION_KEYS.join(', ')})` });
  }
  const at = first - 1;
  const kindEntry = get('kind');
  const kind = QUESTION_KINDS.find((k) => k === kindEntry?.value);
  if (!kind) {
    errors.push({ line: kindEntry?.line ?? at, message: `a question needs "kind:" one of ${QUESTION_KINDS.join(', ')}${kindEntry ? `, not "${kindEntry.value}"` : ''}` });
  }
  const prompt = get('prompt');
  if (!prompt?.value) errors.push({ line: prompt?.line ?? at, message: 'a question needs "prompt:", the question itself' });
  const answerEntry = get('answer');
  const answer = answerEntry?.value ? parseMeasure(answerEntry.value, answerEntry.line, errors) : undefined;
  if (!answerEntry?.value) errors.push({ line: answerEntry?.line ?? at, message: 'a question needs "answer:", the measure whose value is right (see FORMAT.md)' });
  const id = get('id');
  if (id && !/^[a-z0-9][a-z0-9-]*$/.test(id.value)) errors.push({ line: id.line, message: `question id "${id.value}" may hold only lower-case letters, digits and dashes` });

  const question: Question | undefined =
    kind && prompt?.value && answer
      ? {
          line: at,
          id: id?.value || stepId,
          kind,
          prompt: { value: prompt.value, line: prompt.line },
          answer,
          select: 'one',
          predict: false,
          needs: [],
        }
      : undefined;
  if (question === undefined) return undefined;

  const options = get('options');
  if (options) {
    if (options.value.startsWith('=')) {
      const call = parseMeasure(options.value.slice(1).trim(), options.line, errors);
      if (call) question.options = { measure: call };
    } else {
      const list = options.list ?? options.value.split('|').map((o) => o.trim()).filter(Boolean);
      if (list.length < 2) errors.push({ line: options.line, message: 'options lists two or more choices ("a | b | c", or "- a" lines), or names a measure ("= top-tokens 4")' });
      question.options = { value: list, line: options.line };
    }
  }
  if (kind === 'choice' && !options) errors.push({ line: at, message: 'a choice question needs "options:"' });
  if (kind !== 'choice' && options) errors.push({ line: options.line, message: `options are for choice questions, not ${kind}` });

  const tolerance = get('tolerance');
  if (tolerance) {
    const relative = tolerance.value.endsWith('%');
    const n = Number(relative ? tolerance.value.slice(0, -1) : tolerance.value);
    if (!Number.isFinite(n) || n < 0 || tolerance.value === '') errors.push({ line: tolerance.line, message: `tolerance must be a number ≥ 0 or a percentage, not "${tolerance.value}"` });
    else question.tolerance = { value: relative ? n / 100 : n, relative, line: tolerance.line };
  }
  if (kind === 'number' && !tolerance) errors.push({ line: at, message: 'a number question needs "tolerance:" (0.05, or 5%)' });

  const select = get('select');
  if (select) {
    if (select.value === 'one' || select.value === 'all') question.select = select.value;
    else errors.push({ line: select.line, message: 'select is "one" or "all"' });
  }
  const among = get('among');
  if (among) question.among = { value: among.value, line: among.line };
  if (kind === 'edges' && !among) errors.push({ line: at, message: 'an edges question needs "among:" (kept, into A1.2, from A0.3)' });

  const predict = get('predict');
  if (predict) {
    if (predict.value === 'yes' || predict.value === 'no') question.predict = predict.value === 'yes';
    else errors.push({ line: predict.line, message: 'predict is "yes" or "no"' });
  }
  const needs = get('needs');
  if (needs) question.needs = parseNeeds(needs.value, needs.line, errors);
  for (const key of ['explain', 'hint'] as const) {
    const entry = get(key);
    if (entry) question[key] = { value: entry.value, line: entry.line };
  }
  return question;
}

/** `run done, tested >= 1, runs >= 3, prediction, compiled, compiled changed, head A1.0`. */
export function parseNeeds(value: string, line: number, errors: LessonError[]): Need[] {
  const needs: Need[] = [];
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const count = /^(tested|runs)\s*>=\s*(\d+)$/.exec(part);
    const head = /^head\s+(\S+)$/.exec(part);
    if (part === 'run done') needs.push({ kind: 'run', line });
    else if (count) needs.push({ kind: count[1] === 'tested' ? 'tested' : 'runs', atLeast: Number(count[2]), line });
    else if (part === 'prediction') needs.push({ kind: 'prediction', line });
    else if (part === 'compiled' || part === 'compiled changed') needs.push({ kind: 'compiled', changed: part !== 'compiled', line });
    else if (head) needs.push({ kind: 'head', head: head[1], line });
    else errors.push({ line, message: `unknown need "${part}" (known: run done, tested >= N, runs >= N, prediction, compiled, compiled changed, head A1.0)` });
  }
  return needs;
}

/** `name arg "quoted arg" key=value key="quoted value"`. */
export function parseMeasure(source: string, line: number, errors: LessonError[]): MeasureCall | undefined {
  const text = source.trim();
  const words: string[] = [];
  const options: Record<string, string> = {};
  const re = /\s*(?:([a-z-]+)=)?(?:"([^"]*)"|([^\s"]+))/y;
  while (re.lastIndex < text.length) {
    const at = re.lastIndex;
    const match = re.exec(text);
    if (match === null || re.lastIndex === at) {
      errors.push({ line, message: `cannot read "${text}" as a measure (an unclosed quote?)` });
      return undefined;
    }
    const value = match[2] ?? match[3] ?? '';
    if (match[1]) options[match[1]] = value;
    else words.push(value);
  }
  const [name, ...args] = words;
  if (!name || !/^[a-z][a-z-]*$/.test(name)) {
    errors.push({ line, message: `"${text}" does not start with a measure's name` });
    return undefined;
  }
  return { name, args, options, line, source: text };
}
