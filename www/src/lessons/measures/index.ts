// Every measure a lesson may name, and the check of a call before anything
// runs: the measure exists, its arguments are there and of the right kind,
// the heads and edges it names exist in the step's model, and its value
// suits the question that uses it.

import { ABLATIONS, METRICS } from '../../generated/wire';
import type { MeasureCall, QuestionKind } from '../format';
import { checkEdge, checkHead, type ModelShape } from '../refs';
import { ATTRIBUTION_MEASURES } from './attribution';
import { MODEL_MEASURES } from './model';
import { RUN_MEASURES } from './run';
import type { ArgKind, MeasureDef, ValueKind } from './types';

export const MEASURES: readonly MeasureDef[] = [...MODEL_MEASURES, ...RUN_MEASURES, ...ATTRIBUTION_MEASURES];

export function measure(name: string): MeasureDef | undefined {
  return MEASURES.find((m) => m.name === name);
}

/** What the question's answer (or its options) may be. */
const ANSWERS: Record<QuestionKind, readonly ValueKind[]> = {
  choice: ['text', 'texts', 'heads', 'edges'],
  heads: ['heads'],
  edges: ['edges'],
  number: ['number'],
};
const OPTION_SOURCES: readonly ValueKind[] = ['texts', 'heads', 'edges'];

const POSITION = /^(last|END|all|repeat|\d+|S1|S2|IO|S1\+1|S2\+1|IO\+1)$/;
const TARGET = /^(prev|self|first|induction|last|END|\d+|S1|S2|IO|S1\+1|S2\+1|IO\+1)$/;

export interface CallCheck {
  /** The step's model, when the lesson names one the page knows (else names go unchecked). */
  shape: ModelShape | null;
  /** Step ids of the lesson, for `since=`. */
  steps: readonly string[];
}

/** Why an argument's text is not of its kind, or null. */
function checkArg(kind: ArgKind, text: string, check: CallCheck): string | null {
  switch (kind) {
    case 'head':
      return check.shape ? checkHead(check.shape, text) : /^A\d+\.\d+$/.test(text) ? null : `"${text}" is not a head (A1.0)`;
    case 'heads':
      for (const h of text.split(',')) {
        const why = checkArg('head', h, check);
        if (why) return why;
      }
      return null;
    case 'edge':
      return check.shape ? checkEdge(check.shape, text) : text.includes('->') ? null : `"${text}" is not an edge (A0.3 -> A1.2 k)`;
    case 'number':
      return text !== '' && Number.isFinite(Number(text)) ? null : `"${text}" is not a number`;
    case 'layer':
      if (!/^\d+$/.test(text)) return `layer "${text}" is not a whole number`;
      return check.shape && Number(text) >= check.shape.nLayers ? `there is no layer ${text}: this model has ${check.shape.nLayers}` : null;
    case 'position':
      return POSITION.test(text) ? null : `position "${text}" is not one of last, END, all, repeat, a number, S1, S2, IO, S1+1`;
    case 'target':
      return TARGET.test(text) ? null : `target "${text}" is not one of prev, self, first, induction, END, a number, S1, S2, IO, S1+1`;
    case 'ablation':
      return ABLATIONS.some((a) => a === text) ? null : `ablation "${text}" is not one of ${ABLATIONS.join(', ')}`;
    case 'metric':
      return METRICS.some((m) => m === text) ? null : `metric "${text}" is not one of ${METRICS.join(', ')}`;
    case 'method':
      return ['exact', 'eap', 'eap-ig'].includes(text) ? null : `method "${text}" is not one of exact, eap, eap-ig`;
    case 'step':
      return check.steps.includes(text) ? null : `there is no step "${text}" in this lesson (steps: ${check.steps.join(', ')})`;
    case 'text':
      return null;
  }
}

/** The mistakes in a call (empty: none). `use`: what the value is for. */
export function checkCall(call: MeasureCall, use: { kind: QuestionKind; as: 'answer' | 'options' } | 'text', check: CallCheck): string[] {
  const def = measure(call.name);
  if (def === undefined) {
    return [`unknown measure "${call.name}" (known: ${MEASURES.map((m) => m.name).join(', ')})`];
  }
  const errors: string[] = [];
  const required = def.args.filter((a) => !a.optional).length;
  if (call.args.length < required || call.args.length > def.args.length) {
    const usage = [def.name, ...def.args.map((a) => (a.optional ? `[${a.name}]` : a.name))].join(' ');
    errors.push(`${def.name} takes ${def.args.length === 0 ? 'no arguments' : usage}${def.args.some((a) => a.kind === 'edge') ? ' (quote an edge: "A0.3 -> A1.2 k")' : ''}`);
  }
  def.args.forEach((arg, i) => {
    const text = call.args[i];
    const why = text === undefined ? null : checkArg(arg.kind, text, check);
    if (why) errors.push(why);
  });
  for (const [key, text] of Object.entries(call.options)) {
    const kind = def.options[key];
    if (kind === undefined) {
      const known = Object.keys(def.options);
      errors.push(`${def.name} has no option "${key}"${known.length ? ` (it takes ${known.map((k) => `${k}=`).join(', ')})` : ''}`);
      continue;
    }
    const why = checkArg(kind, text, check);
    if (why) errors.push(why);
  }
  if (use !== 'text') {
    const allowed = use.as === 'options' ? OPTION_SOURCES : ANSWERS[use.kind];
    if (!allowed.includes(def.value)) {
      errors.push(`${def.name} gives ${def.value === 'number' ? 'a number' : def.value === 'text' ? 'a word' : `a set of ${def.value}`}, which cannot be the ${use.as} of ${use.kind === 'edges' ? 'an' : 'a'} ${use.kind} question`);
    }
  }
  return errors;
}
