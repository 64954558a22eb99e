// A lesson's Markdown → a Lesson (format.ts): the front matter, the text
// before the first step, and the steps (`## Title {#id}`), each with its
// fenced `setup`, `question` and `rasp` blocks taken out of its text.
// Mistakes are collected with their line; nothing here knows the page.

import { parseQuestion, parseSetup } from './blocks';
import type { Lesson, LessonError, Step } from './format';
import { parseFrontMatter } from './front-matter';

const BLOCKS = ['setup', 'question', 'rasp'] as const;
type BlockKind = (typeof BLOCKS)[number];

export interface Parsed {
  lesson: Lesson;
  errors: LessonError[];
}

interface RawBlock {
  kind: BlockKind;
  /** Line of the opening fence (1-based). */
  line: number;
  body: string[];
}

interface RawStep {
  title: string;
  id: string | null;
  line: number;
  text: string[];
  blocks: RawBlock[];
}

export function parseLesson(text: string, id: string): Parsed {
  const front = parseFrontMatter(text, id);
  const errors = [...front.errors];
  const lines = text.split(/\r?\n/);
  const intro: string[] = [];
  const raw: RawStep[] = [];
  let fence: { marker: string; block: RawBlock | null; line: number } | null = null;

  for (let i = front.bodyStart; i < lines.length; i++) {
    const line = lines[i];
    const number = i + 1;
    const current = raw[raw.length - 1];
    if (fence !== null) {
      // A block's lines stay in the text as blank lines, so the text keeps its line numbers.
      (current?.text ?? intro).push(fence.block === null ? line : '');
      if (line.trim().startsWith(fence.marker) && line.trim().replace(/[`~]/g, '') === '') fence = null;
      else fence.block?.body.push(line);
      continue;
    }
    const open = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (open) {
      const info = open[2];
      const kind = BLOCKS.find((b) => b === info);
      const block = kind ? { kind, line: number, body: [] } : null;
      fence = { marker: open[1], block, line: number };
      (current?.text ?? intro).push(block === null ? line : '');
      if (block === null) continue;
      if (current === undefined) errors.push({ line: number, message: `a ${kind} block belongs to a step: put it after a "## " heading` });
      else current.blocks.push(block);
      continue;
    }
    const heading = /^##\s+(.+?)\s*(?:\{#([^}]*)\})?\s*$/.exec(line);
    if (heading && !line.startsWith('###')) {
      raw.push({ title: heading[1], id: heading[2] ?? null, line: number, text: [], blocks: [] });
      continue;
    }
    (current?.text ?? intro).push(line);
  }
  if (fence !== null) errors.push({ line: fence.line, message: 'this fenced block is never closed' });
  if (raw.length === 0) errors.push({ line: Math.min(front.bodyStart + 1, lines.length), message: 'the lesson has no steps: start each with a "## " heading' });

  const ids = new Set<string>();
  const steps: Step[] = raw.map((r, index) => {
    const stepId = r.id ?? `step-${index + 1}`;
    if (r.id !== null && !/^[a-z0-9][a-z0-9-]*$/.test(r.id)) {
      errors.push({ line: r.line, message: `step id "${r.id}" may hold only lower-case letters, digits and dashes` });
    }
    if (ids.has(stepId)) errors.push({ line: r.line, message: `two steps have the id "${stepId}"` });
    ids.add(stepId);
    const step: Step = { id: stepId, title: r.title, line: r.line, text: r.text.join('\n').trimEnd() };
    for (const block of r.blocks) {
      const twice = (what: string) => errors.push({ line: block.line, message: `a step has at most one ${what} block` });
      switch (block.kind) {
        case 'setup':
          if (step.setup) twice('setup');
          step.setup = parseSetup(block.body, block.line + 1, errors);
          step.setup.line = block.line;
          break;
        case 'question':
          if (step.question) twice('question');
          step.question = parseQuestion(block.body, block.line + 1, stepId, errors);
          if (step.question) step.question.line = block.line;
          break;
        case 'rasp':
          if (step.program) twice('rasp');
          step.program = { value: block.body.join('\n').trim(), line: block.line };
          break;
      }
    }
    return step;
  });
  const questionIds = new Set<string>();
  for (const step of steps) {
    const q = step.question;
    if (!q) continue;
    if (questionIds.has(q.id)) errors.push({ line: q.line, message: `two questions have the id "${q.id}"` });
    questionIds.add(q.id);
  }
  errors.sort((a, b) => a.line - b.line);
  return { lesson: { meta: front.meta, intro: intro.join('\n').trim(), steps }, errors };
}
