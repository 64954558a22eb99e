// A lesson as the page holds it once its Markdown is parsed (parse.ts): front
// matter, an introduction, and steps, each with its text, an optional
// playground setup, an optional program for the RASP editor and at most one
// question. Every part keeps the line it came from, so a mistake is reported
// where the teacher wrote it (www/lessons/FORMAT.md). Pure: no DOM.

/** A mistake in a lesson, at a line of its file (1-based; 0: the file as a whole). */
export interface LessonError {
  line: number;
  message: string;
}

export type Level = 'beginner' | 'intermediate' | 'advanced';
export const LEVELS: readonly Level[] = ['beginner', 'intermediate', 'advanced'];

/** A value written in a block, with the line it is on. */
export interface Located<T> {
  value: T;
  line: number;
}

/** `name arg key=value …`: a measure of the page (measures.ts), computed when checked. */
export interface MeasureCall {
  name: string;
  /** Positional arguments (a head `A1.0`, an edge `A0.3 -> A1.2 k`, a token). */
  args: string[];
  /** `key=value` arguments. */
  options: Record<string, string>;
  line: number;
  /** The text as written, for messages. */
  source: string;
}

/** What the playground is set to when a step opens (later steps inherit the settings). */
export interface Setup {
  line: number;
  model?: Located<string>;
  task?: Located<string>;
  algorithm?: Located<string>;
  metric?: Located<string>;
  ablation?: Located<string>;
  tau?: Located<number>;
  seed?: Located<number>;
  indices?: Located<string>;
  names?: Located<string>;
  /** Typed into the prompt panel; the row the views and measures read from then on ('' for `none`: the task's rows). */
  prompt?: Located<string>;
  /** Which clean row of the task data the views and measures read when there is no prompt. */
  row?: Located<number>;
  /** A head to open in the inspector (`A1.0`). */
  head?: Located<string>;
  /** An edge to open in the inspector (`A0.3 -> A1.2 k`). */
  edge?: Located<string>;
  /** Open the logit lens. */
  lens?: Located<boolean>;
  /** `none` resets the stage; `paused` starts a run that waits for Step; `done` runs to the end. */
  run?: Located<'none' | 'paused' | 'done'>;
  /** Edges per frame of the run (1, 5, 20, max). */
  speed?: Located<string>;
  /** A shipped RASP example to put in the editor (`tracr-reverse`). */
  rasp?: Located<string>;
  /** τ values the "Run the sweep" button runs, in order. */
  sweep?: Located<number[]>;
}

export const QUESTION_KINDS = ['choice', 'heads', 'edges', 'number'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

/** A condition the page must meet before a question can be checked (`needs:`). */
export type Need =
  | { kind: 'run'; line: number }
  | { kind: 'tested'; atLeast: number; line: number }
  | { kind: 'runs'; atLeast: number; line: number }
  | { kind: 'prediction'; line: number }
  | { kind: 'compiled'; changed: boolean; line: number }
  | { kind: 'head'; head: string; line: number };

export interface Question {
  line: number;
  /** Stable within the lesson: `id:` or the step's id. */
  id: string;
  kind: QuestionKind;
  prompt: Located<string>;
  /** Choices: a list written out, or a measure that lists them (`= top-tokens 4`). */
  options?: Located<string[]> | { measure: MeasureCall };
  /** The measure whose value is the right answer. */
  answer: MeasureCall;
  /** Numbers: |answer − value| ≤ tolerance (absolute, or relative when written `5%`). */
  tolerance?: { value: number; relative: boolean; line: number };
  /** Heads, edges, choices: `one` (any right one) or `all` (exactly the right set). */
  select: 'one' | 'all';
  /** Edges: which edges are offered (`into A1.2`, `kept`, `from embed`). */
  among?: Located<string>;
  /** Predict-then-reveal: the answer is locked before the needs are met. */
  predict: boolean;
  needs: Need[];
  /** Markdown shown with the feedback; `{{measure}}` is replaced by its value. */
  explain?: Located<string>;
  /** Markdown shown after a wrong answer. */
  hint?: Located<string>;
}

export interface Step {
  /** `{#id}` after the heading, else `step-N`. */
  id: string;
  title: string;
  line: number;
  /** The step's Markdown, its blocks blanked out: line i of it is line `line + 1 + i` of the file. */
  text: string;
  setup?: Setup;
  /** A program for the RASP editor (a fenced `rasp` block). */
  program?: Located<string>;
  question?: Question;
}

export interface LessonMeta {
  id: string;
  title: string;
  level: Level;
  minutes: number;
  order: number;
  summary: string;
  /** Algorithms the page must offer for the lesson to be listed. */
  requires: string[];
}

export interface Lesson {
  meta: LessonMeta;
  /** Markdown before the first step. */
  intro: string;
  steps: Step[];
}

/** One entry of `/lessons/index.json` (written by www/lessons-plugin.ts). */
export interface LessonEntry {
  id: string;
  title: string;
  level: Level;
  minutes: number;
  order: number;
  summary: string;
  requires: string[];
  /** The file's path under /lessons/. */
  file: string;
  /** Front-matter mistakes found when the index was written. */
  errors: LessonError[];
}
