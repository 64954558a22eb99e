// Whether an answer is right, given the value the page computed, and how to
// say where it differs (pure: no DOM).

import type { Question } from './format';
import type { Value } from './measures/types';
import type { Answer } from './progress';
import { formatNumber } from './scores';

export function isRight(question: Question, answer: Answer, expected: Value): boolean {
  if (question.kind === 'number') {
    if (typeof answer !== 'number' || typeof expected !== 'number') return false;
    const t = question.tolerance;
    const tolerance = t === undefined ? 0 : t.relative ? t.value * Math.abs(expected) : t.value;
    return Math.abs(answer - expected) <= tolerance + 1e-12;
  }
  const right = Array.isArray(expected) ? expected : [String(expected)];
  const given = Array.isArray(answer) ? answer : [String(answer)];
  if (question.select === 'one') return given.length === 1 && right.includes(given[0]);
  return given.length === right.length && given.every((g) => right.includes(g));
}

/** The answer as words: "A1.0, A1.2", "0.42", "cat". */
export function showAnswer(value: Answer | Value): string {
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ');
  return value;
}

/** For a set answered wrong: what it lacks and what it has too many of. */
export function difference(answer: Answer, expected: Value): { missed: string[]; extra: string[] } | null {
  if (!Array.isArray(answer) || !Array.isArray(expected)) return null;
  return { missed: expected.filter((e) => !answer.includes(e)), extra: answer.filter((a) => !expected.includes(a)) };
}

/** What the right answer is, in a sentence. */
export function rightAnswer(question: Question, expected: Value): string {
  if (question.kind === 'number') {
    const t = question.tolerance;
    const within = t === undefined ? '' : t.relative ? ` (within ${formatNumber(t.value * 100)}%)` : ` (within ${formatNumber(t.value)})`;
    return `The model's value is ${formatNumber(Number(expected))}${within}.`;
  }
  if (Array.isArray(expected)) {
    if (expected.length === 0) return 'The right answer is: none.';
    return question.select === 'one' && expected.length > 1
      ? `Any of these is right: ${expected.join(', ')}.`
      : `The right answer is: ${expected.join(', ')}.`;
  }
  return `The right answer is: ${expected}.`;
}
