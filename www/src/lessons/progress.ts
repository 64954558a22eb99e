// A student's progress through the lessons, kept in this browser
// (localStorage): the step they are on and every answer they checked, so a
// lesson resumes where it was left and can be reset. "Export my answers"
// writes one lesson's answers as JSON for a teacher to grade without a
// server, with the settings of each check and a hash of the circuit the run
// had found (the same seeds give every student the same hash).

import type { Circuit } from '../generated/wire';
import type { Settings } from '../state/settings';
import type { QuestionKind } from './format';
import type { Value } from './measures/types';
import { sha256Hex } from './sha256';

const KEY = 'circuitscope.lessons.v1';

/** What a student answered: a choice, a number, or a set of heads or edges. */
export type Answer = string | number | string[];

export interface AnswerRecord {
  question: string;
  step: string;
  kind: QuestionKind;
  prompt: string;
  /** The last answer checked, and whether it was right. */
  answer: Answer;
  correct: boolean;
  /** What the page computed as right at that check. */
  expected: Value;
  /** Every check, in order. */
  attempts: { answer: Answer; correct: boolean }[];
  /** The page's settings at the check, and its model. */
  settings: Settings | null;
  model: string | null;
  /** SHA-256 of the run's kept edges (sorted names, one per line), or null without a finished run. */
  circuitHash: string | null;
}

export interface LessonProgress {
  /** The step shown last (0-based). */
  step: number;
  answers: Record<string, AnswerRecord>;
  done: boolean;
}

type Store = Record<string, LessonProgress>;

function read(): Store {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Store) : {};
  } catch {
    return {};
  }
}

function write(store: Store): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(store));
  } catch {
    // Storage may be off (private mode, a sandboxed frame): progress lives as long as the page.
  }
}

export function loadProgress(lesson: string): LessonProgress {
  const saved = read()[lesson];
  return saved && typeof saved.step === 'number' && typeof saved.answers === 'object'
    ? { step: saved.step, answers: saved.answers, done: saved.done === true }
    : { step: 0, answers: {}, done: false };
}

export function saveProgress(lesson: string, progress: LessonProgress): void {
  const store = read();
  store[lesson] = progress;
  write(store);
}

export function resetProgress(lesson: string): void {
  const store = read();
  delete store[lesson];
  write(store);
}

/** The ids of the lessons with progress, and whether each is done. */
export function progressSummary(): Record<string, { step: number; done: boolean; answered: number }> {
  const out: Record<string, { step: number; done: boolean; answered: number }> = {};
  for (const [id, p] of Object.entries(read())) out[id] = { step: p.step, done: p.done, answered: Object.keys(p.answers ?? {}).length };
  return out;
}

/** A kept edge as circuit.json names it: `blocks.0.attn.hook_result[3] -> blocks.1.hook_k_input[2]`. */
function edgeName(e: Circuit['kept'][number]): string {
  const node = (name: string, head: number | null) => (head === null ? name : `${name}[${head}]`);
  return `${node(e.sender, e.sender_head)} -> ${node(e.receiver, e.receiver_head)}`;
}

/** SHA-256 (hex) of a circuit's kept edges, sorted, one per line. */
export async function circuitHash(circuit: Circuit): Promise<string> {
  const text = circuit.kept.map(edgeName).sort().join('\n');
  const bytes = new TextEncoder().encode(text);
  // crypto.subtle exists only in secure contexts (https, localhost); a classroom server may be plain http.
  if (globalThis.crypto?.subtle) {
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  return sha256Hex(bytes);
}

export interface AnswersExport {
  format: 'circuitscope-lesson-answers';
  version: 1;
  lesson: { id: string; title: string };
  exported: string;
  completed: boolean;
  score: { correct: number; total: number };
  answers: AnswerRecord[];
}

/** One lesson's answers as a teacher receives them; `order`: the lesson's question ids in step order. */
export function exportAnswers(lesson: { id: string; title: string }, order: readonly string[], progress: LessonProgress, now = new Date()): AnswersExport {
  const answers = order.flatMap((q) => (progress.answers[q] ? [progress.answers[q]] : []));
  return {
    format: 'circuitscope-lesson-answers',
    version: 1,
    lesson,
    exported: now.toISOString(),
    completed: progress.done,
    score: { correct: answers.filter((a) => a.correct).length, total: order.length },
    answers,
  };
}
