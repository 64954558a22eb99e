// The feedback on a checked answer: right or not, what the page computed,
// what a set answer missed or has too many of, and the evidence on screen —
// heads and edges marked on the graph, a head's pattern, a table of scores,
// the Δ of an edge — then the lesson's own explanation (its `{{measures}}`
// filled in) and, after a wrong answer, its hint.

import { el } from '../dom';
import { messageOf } from '../errors';
import { attentionView, edgeAttentionView, headLogitsView, lensView, predictionView } from '../views/inspect-views';
import { difference, rightAnswer, showAnswer } from './check';
import type { Question } from './format';
import { renderMarkdown, type Slot } from './markdown';
import { measure } from './measures';
import type { Evidence, MeasureContext } from './measures/types';
import { parseMeasure } from './blocks';
import type { CheckResult } from './runner';
import { formatNumber } from './scores';
import { sweepPlot } from './sweep-plot';

export interface FeedbackHost {
  /** Marks heads (labels) and edges (names) on the graph. */
  mark(heads: string[], edges: string[]): void;
  context(): MeasureContext;
}

export function feedbackView(question: Question, result: CheckResult, host: FeedbackHost): HTMLElement {
  const { correct, answer, expected, evidence } = result;
  const lines: (HTMLElement | string)[] = [
    el('p', { class: 'verdict', 'data-testid': 'verdict', 'data-correct': String(correct) }, correct ? '✓ Right.' : '✗ Not quite.'),
    el('p', {}, `You answered ${showAnswer(answer)}. `, rightAnswer(question, expected)),
  ];
  const diff = correct ? null : difference(answer, expected);
  if (diff && (diff.missed.length > 0 || diff.extra.length > 0)) {
    const parts = [];
    if (diff.missed.length) parts.push(`missing: ${diff.missed.join(', ')}`);
    if (diff.extra.length) parts.push(`not part of the answer: ${diff.extra.join(', ')}`);
    lines.push(el('p', { 'data-testid': 'difference' }, `Your answer is ${parts.join('; ')}.`));
  }
  const heads = new Set<string>();
  const edges = new Set<string>();
  const shown = evidence.map((e) => evidenceView(e, heads, edges));
  host.mark([...heads], [...edges]);
  if (heads.size + edges.size > 0) {
    lines.push(el('p', { class: 'marked-note' }, `Marked on the graph (dashed, amber): ${[...heads, ...edges].join('; ')}.`));
  }
  const out = el(
    'div',
    { class: `feedback ${correct ? 'right' : 'wrong'}`, 'data-testid': 'feedback', 'data-correct': String(correct), 'data-expected': JSON.stringify(expected) },
    ...lines,
    el('div', { class: 'evidence', 'data-testid': 'evidence' }, ...shown),
  );
  const texts = [question.explain?.value, correct ? undefined : question.hint?.value].filter((t): t is string => t !== undefined);
  for (const text of texts) {
    const { element, slots } = renderMarkdown(text, 'md explain');
    out.append(element);
    fillSlots(slots, host.context);
  }
  return out;
}

/** Fills `{{measure}}` slots with their values, computed from the page now. */
export function fillSlots(slots: readonly Slot[], context: () => MeasureContext): void {
  for (const slot of slots) {
    const call = parseMeasure(slot.source, 0, []);
    const def = call ? measure(call.name) : undefined;
    if (call === undefined || def === undefined) {
      slot.element.textContent = `{{${slot.source}}}`;
      continue;
    }
    void (async () => {
      try {
        const { value } = await def.compute(call, context());
        slot.element.textContent = typeof value === 'number' ? formatNumber(value) : Array.isArray(value) ? value.join(', ') : value;
        slot.element.dataset.value = JSON.stringify(value);
      } catch (error) {
        slot.element.textContent = `(${messageOf(error)})`;
      }
    })();
  }
}

function evidenceView(e: Evidence, heads: Set<string>, edges: Set<string>): HTMLElement {
  switch (e.kind) {
    case 'text':
      return el('p', {}, e.text);
    case 'heads':
      e.heads.forEach((h) => heads.add(h));
      return el('p', { class: 'chips', 'data-testid': 'evidence-heads' }, `${e.caption}: `, ...e.heads.map((h) => el('span', { class: 'chip' }, h)));
    case 'edges':
      e.edges.forEach((x) => edges.add(x));
      return el('div', { 'data-testid': 'evidence-edges' }, el('p', {}, `${e.caption}:`), el('ul', { class: 'edge-list' }, ...e.edges.map((x) => el('li', {}, el('code', {}, x)))));
    case 'table':
      return el(
        'table',
        { class: 'mini-table', 'data-testid': 'evidence-table' },
        el('caption', {}, e.caption),
        el('thead', {}, el('tr', {}, ...e.columns.map((c) => el('th', { scope: 'col' }, c)))),
        el('tbody', {}, ...e.rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, String(c)))))),
      );
    case 'attention':
      heads.add(e.head);
      return attentionView(e.head, e.pattern, e.query);
    case 'prediction':
      return predictionView(e.prediction);
    case 'lens':
      return lensView(e.lens, e.at);
    case 'logits':
      heads.add(e.head);
      return headLogitsView(e.head, e.logits, e.at);
    case 'edge-attention':
      edges.add(e.edge);
      return edgeAttentionView(e.edge, e.attention);
    case 'sweep':
      return el('figure', { class: 'sweep-figure' }, sweepPlot(e.points, e.knee), el('figcaption', {}, e.knee ? `The knee: τ = ${e.knee.tau}` : 'No knee yet'));
  }
}
