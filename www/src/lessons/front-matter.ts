// A lesson's front matter: the `---` block at the top of its Markdown
// (title, level, minutes, order, summary, requires). Read by the page and by
// the lessons plugin that writes /lessons/index.json, so it imports nothing at
// run time and touches no DOM.

import type { LessonError, LessonMeta, Level } from './format';

const LEVEL_NAMES: readonly Level[] = ['beginner', 'intermediate', 'advanced'];
const KEYS = ['title', 'level', 'minutes', 'order', 'summary', 'requires'];

export interface FrontMatter {
  meta: LessonMeta;
  errors: LessonError[];
  /** Index (0-based) of the first line after the front matter. */
  bodyStart: number;
}

/** A lesson id is its file name without `.md`: letters, digits and dashes. */
export function isLessonId(id: string): boolean {
  return /^[a-z0-9][a-z0-9-]*$/.test(id);
}

export function parseFrontMatter(text: string, id: string): FrontMatter {
  const lines = text.split(/\r?\n/);
  const errors: LessonError[] = [];
  const meta: LessonMeta = { id, title: id, level: 'beginner', minutes: 10, order: 1000, summary: '', requires: [] };
  if (!isLessonId(id)) errors.push({ line: 0, message: `"${id}" is not a lesson id: name the file with lower-case letters, digits and dashes` });
  if (lines[0]?.trim() !== '---') {
    errors.push({ line: 1, message: 'a lesson starts with front matter: a line "---", then "title: …", "level: …", "minutes: …", then "---"' });
    return { meta, errors, bodyStart: 0 };
  }
  const end = lines.findIndex((line, i) => i > 0 && line.trim() === '---');
  if (end < 0) {
    errors.push({ line: 1, message: 'the front matter never ends: add a line "---" after it' });
    return { meta, errors, bodyStart: lines.length };
  }
  const seen = new Set<string>();
  for (let i = 1; i < end; i++) {
    const raw = lines[i];
    const line = i + 1;
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    const match = /^([a-z]+)\s*:\s*(.*)$/.exec(raw.trim());
    if (!match) {
      errors.push({ line, message: `expected "key: value", found "${raw.trim()}"` });
      continue;
    }
    const [, key, value] = match;
    if (!KEYS.includes(key)) {
      errors.push({ line, message: `unknown front-matter key "${key}" (known: ${KEYS.join(', ')})` });
      continue;
    }
    if (seen.has(key)) errors.push({ line, message: `"${key}" is given twice` });
    seen.add(key);
    switch (key) {
      case 'title':
        meta.title = value;
        break;
      case 'summary':
        meta.summary = value;
        break;
      case 'level': {
        const level = LEVEL_NAMES.find((l) => l === value);
        if (level) meta.level = level;
        else errors.push({ line, message: `level "${value}" is not one of ${LEVEL_NAMES.join(', ')}` });
        break;
      }
      case 'minutes':
      case 'order': {
        const n = Number(value);
        if (value === '' || !Number.isFinite(n) || n < 0) errors.push({ line, message: `${key} must be a number ≥ 0, not "${value}"` });
        else if (key === 'minutes') meta.minutes = n;
        else meta.order = n;
        break;
      }
      case 'requires': {
        const words = value.split(/[\s,]+/).filter(Boolean);
        if (words[0] !== 'algorithms' || words.length < 2) {
          errors.push({ line, message: 'write requires as "requires: algorithms eap eap-ig exact"' });
        } else meta.requires = words.slice(1);
        break;
      }
    }
  }
  for (const key of ['title', 'level', 'minutes']) {
    if (!seen.has(key)) errors.push({ line: 1, message: `the front matter has no "${key}:"` });
  }
  return { meta, errors, bodyStart: end + 1 };
}
