// Measures of the model itself, each from real forward passes: what it
// predicts, where its heads attend, what a head writes to the logits, the
// logit lens, and what one edge changes in the attention of the head it feeds.

import { visibleToken } from '../../views/token-text';
import { allHeads, edgeId, headLabel, parseHead, type Head } from '../refs';
import { bestOf, formatNumber, fromPositions, futureAttention, meanAttention, type Row } from '../scores';
import type { MeasureCall } from '../format';
import { NotYet, type Evidence, type MeasureContext, type MeasureDef, type Measured } from './types';

/** Rows a score over the task data averages (`rows=`), when the step has no prompt. */
const DEFAULT_ROWS = 8;

export function head(call: MeasureCall, index = 0): Head {
  const h = parseHead(call.args[index] ?? '');
  if (h === null) throw new Error(`${call.source}: no head`);
  return h;
}

/** The query position `at=` names on `row` (default: the last scored one). */
function at(call: MeasureCall, row: Row): number {
  const spec = call.options.at ?? 'last';
  const [q] = fromPositions(row, spec);
  if (q === undefined) throw new NotYet(`position "${spec}" is not in the row "${row.tokens.join(' ')}"`);
  return q;
}

/** The step's prompt when it has one, else the first `rows=` clean rows. */
async function rowsOf(call: MeasureCall, ctx: MeasureContext): Promise<Row[]> {
  if (ctx.prompt() !== null && call.options.rows === undefined) return [await ctx.subject()];
  return ctx.rows(Number(call.options.rows ?? DEFAULT_ROWS));
}

function headsOf(call: MeasureCall, ctx: MeasureContext): string[] {
  const layer = call.options.layer;
  return allHeads(ctx.shape).filter((h) => layer === undefined || h.startsWith(`A${layer}.`));
}

async function scoreHeads(call: MeasureCall, ctx: MeasureContext): Promise<Map<string, number>> {
  const from = call.options.from ?? 'all';
  const to = call.options.to ?? 'prev';
  const rows = await rowsOf(call, ctx);
  const scores = new Map<string, number>();
  for (const label of headsOf(call, ctx)) {
    const h = parseHead(label);
    if (h === null) continue;
    const patterns = [];
    for (const row of rows) patterns.push({ row, pattern: (await ctx.attention(row, h)).pattern });
    const score = meanAttention(patterns, from, to);
    if (score === null) throw new NotYet(`no query at "${from}" has a key at "${to}" in these rows`);
    scores.set(label, score);
  }
  return scores;
}

function scoreTable(call: MeasureCall, scores: Map<string, number>, rows: number | null): Evidence {
  const where = `from ${call.options.from ?? 'all'} to ${call.options.to ?? 'prev'}`;
  return {
    kind: 'table',
    caption: `Mean attention ${where}${rows === null ? ' on the prompt' : ` over ${rows} rows`}`,
    columns: ['head', 'attention'],
    rows: [...scores.entries()].sort((a, b) => b[1] - a[1]).map(([h, s]) => [h, formatNumber(s)]),
  };
}

async function describe(ctx: MeasureContext, h: Head, row: Row, q: number): Promise<Measured> {
  const pattern = await ctx.attention(row, h);
  const weights = pattern.pattern[q] ?? [];
  const k = weights.reduce((best, p, i) => (p > weights[best] ? i : best), 0);
  const token = visibleToken(pattern.tokens[k] ?? '');
  const text = `At “${visibleToken(pattern.tokens[q] ?? '')}” (position ${q}) ${headLabel(h)} attends most to “${token}” (position ${k}), with weight ${formatNumber(weights[k] ?? 0)}.`;
  return { value: token, evidence: [{ kind: 'attention', head: headLabel(h), pattern, query: q }, { kind: 'text', text }] };
}

async function prediction(call: MeasureCall, ctx: MeasureContext) {
  const prompt = call.options.prompt ?? ctx.prompt();
  if (prompt === null) throw new NotYet('this step has no prompt to predict from');
  return ctx.predict(prompt);
}

export const MODEL_MEASURES: MeasureDef[] = [
  {
    name: 'top-token',
    summary: "the model's likeliest next token after the step's prompt",
    value: 'text',
    args: [],
    options: { prompt: 'text' },
    async compute(call, ctx) {
      const p = await prediction(call, ctx);
      const top = p.top[0];
      return { value: visibleToken(top.token), evidence: [{ kind: 'prediction', prediction: p }] };
    },
  },
  {
    name: 'top-prob',
    summary: 'the probability of that token',
    value: 'number',
    args: [],
    options: { prompt: 'text' },
    async compute(call, ctx) {
      const p = await prediction(call, ctx);
      return { value: p.top[0].prob, evidence: [{ kind: 'prediction', prediction: p }] };
    },
  },
  {
    name: 'top-tokens',
    summary: 'the N likeliest next tokens, in alphabetical order (choices)',
    value: 'texts',
    args: [{ name: 'N', kind: 'number' }],
    options: { prompt: 'text' },
    async compute(call, ctx) {
      const p = await prediction(call, ctx);
      const n = Number(call.args[0]);
      const tokens = [...new Set(p.top.slice(0, n).map((t) => visibleToken(t.token)))].sort();
      return { value: tokens, evidence: [{ kind: 'prediction', prediction: p }] };
    },
  },
  {
    name: 'token-count',
    summary: 'how many tokens the prompt is cut into',
    value: 'number',
    args: [],
    options: { prompt: 'text' },
    async compute(call, ctx) {
      const p = await prediction(call, ctx);
      const text = `The tokenizer cuts it into ${p.tokens.length} tokens: ${p.tokens.map((t) => visibleToken(t.text)).join(' · ')}.`;
      return { value: p.tokens.length, evidence: [{ kind: 'text', text }] };
    },
  },
  {
    name: 'row-tokens',
    summary: "the distinct tokens of the step's row (choices)",
    value: 'texts',
    args: [],
    options: {},
    async compute(_call, ctx) {
      const row = await ctx.subject();
      const tokens = [...new Set(row.tokens.slice(0, row.end + 1).map(visibleToken))].filter((t) => !/^<.*>$/.test(t));
      return { value: tokens, evidence: [] };
    },
  },
  {
    name: 'heads',
    summary: 'every head (layer=L: of one layer) (choices)',
    value: 'heads',
    args: [],
    options: { layer: 'layer' },
    async compute(call, ctx) {
      return { value: headsOf(call, ctx), evidence: [] };
    },
  },
  {
    name: 'attends-to',
    summary: 'the token HEAD attends to most from position at= (default: the last)',
    value: 'text',
    args: [{ name: 'HEAD', kind: 'head' }],
    options: { at: 'position' },
    async compute(call, ctx) {
      const row = await ctx.subject();
      return describe(ctx, head(call), row, at(call, row));
    },
  },
  {
    name: 'future-attention',
    summary: 'the largest weight HEAD gives any later position',
    value: 'number',
    args: [{ name: 'HEAD', kind: 'head' }],
    options: {},
    async compute(call, ctx) {
      const h = head(call);
      const pattern = await ctx.attention(await ctx.subject(), h);
      const value = futureAttention(pattern.pattern);
      const text = `Above the diagonal (a query looking at a later key) ${headLabel(h)}'s largest weight is ${formatNumber(value)}.`;
      return { value, evidence: [{ kind: 'attention', head: headLabel(h), pattern, query: null }, { kind: 'text', text }] };
    },
  },
  {
    name: 'row-sum',
    summary: "the sum of HEAD's weights from position at=",
    value: 'number',
    args: [{ name: 'HEAD', kind: 'head' }],
    options: { at: 'position' },
    async compute(call, ctx) {
      const h = head(call);
      const row = await ctx.subject();
      const q = at(call, row);
      const pattern = await ctx.attention(row, h);
      const weights = pattern.pattern[q] ?? [];
      const value = weights.reduce((s, p) => s + p, 0);
      const text = `${headLabel(h)}'s weights from position ${q}: ${weights.slice(0, q + 1).map(formatNumber).join(' + ')} = ${formatNumber(value)}.`;
      return { value, evidence: [{ kind: 'attention', head: headLabel(h), pattern, query: q }, { kind: 'text', text }] };
    },
  },
  {
    name: 'attention',
    summary: "HEAD's mean attention from from= to to= (prev, induction, self, first, END, S1, S2, IO, a number)",
    value: 'number',
    args: [{ name: 'HEAD', kind: 'head' }],
    options: { from: 'position', to: 'target', rows: 'number' },
    async compute(call, ctx) {
      const label = call.args[0];
      const scores = await scoreHeads({ ...call, options: { ...call.options, layer: label.slice(1).split('.')[0] } }, ctx);
      const value = scores.get(label) ?? 0;
      return { value, evidence: [scoreTable(call, scores, ctx.prompt() ? null : Number(call.options.rows ?? DEFAULT_ROWS)), { kind: 'heads', heads: [label], caption: label }] };
    },
  },
  {
    name: 'best-heads',
    summary: 'the heads (layer=L) with the highest mean attention from= to=, within within= of the best',
    value: 'heads',
    args: [],
    options: { from: 'position', to: 'target', layer: 'layer', within: 'number', rows: 'number' },
    async compute(call, ctx) {
      const scores = await scoreHeads(call, ctx);
      const value = bestOf(scores, Number(call.options.within ?? 0.02));
      const rows = ctx.prompt() ? null : Number(call.options.rows ?? DEFAULT_ROWS);
      const shown = parseHead(value[0]);
      const evidence: Evidence[] = [{ kind: 'heads', heads: value, caption: 'highest scores' }, scoreTable(call, scores, rows)];
      if (shown) evidence.push({ kind: 'attention', head: value[0], pattern: await ctx.attention(await ctx.subject(), shown), query: null });
      return { value, evidence };
    },
  },
  {
    name: 'top-score',
    summary: 'the highest mean attention from= to= of any head (layer=L)',
    value: 'number',
    args: [],
    options: { from: 'position', to: 'target', layer: 'layer', rows: 'number' },
    async compute(call, ctx) {
      const scores = await scoreHeads(call, ctx);
      const value = Math.max(...scores.values());
      return { value, evidence: [scoreTable(call, scores, ctx.prompt() ? null : Number(call.options.rows ?? DEFAULT_ROWS))] };
    },
  },
  {
    name: 'heads-where',
    summary: 'the heads (layer=L) whose mean attention from= to= is at least min=',
    value: 'heads',
    args: [],
    options: { from: 'position', to: 'target', layer: 'layer', min: 'number', rows: 'number' },
    async compute(call, ctx) {
      const scores = await scoreHeads(call, ctx);
      const min = Number(call.options.min ?? 0.5);
      const value = [...scores.entries()].filter(([, s]) => s >= min).map(([h]) => h);
      const rows = ctx.prompt() ? null : Number(call.options.rows ?? DEFAULT_ROWS);
      return { value, evidence: [{ kind: 'heads', heads: value, caption: `mean attention ≥ ${min}` }, scoreTable(call, scores, rows)] };
    },
  },
  {
    name: 'best-target',
    summary: 'of the positions among= (IO,S1,END…), the one the heads (layer=L) attend to most from from=',
    value: 'text',
    args: [],
    options: { from: 'position', among: 'text', layer: 'layer', rows: 'number' },
    async compute(call, ctx) {
      const among = (call.options.among ?? 'IO,S1').split(',');
      const totals = new Map<string, number>();
      for (const target of among) {
        const scores = await scoreHeads({ ...call, options: { ...call.options, to: target } }, ctx);
        totals.set(target, [...scores.values()].reduce((s, x) => s + x, 0) / Math.max(1, scores.size));
      }
      const [value] = bestOf(totals, 0);
      const caption = `Mean attention from ${call.options.from ?? 'all'}${call.options.layer ? ` of the layer-${call.options.layer} heads` : ''}`;
      return { value, evidence: [{ kind: 'table', caption, columns: ['to', 'attention'], rows: [...totals].map(([t, s]) => [t, formatNumber(s)]) }] };
    },
  },
  {
    name: 'promotes',
    summary: "the token HEAD's output raises most in the logits at position at= (direct effect)",
    value: 'text',
    args: [{ name: 'HEAD', kind: 'head' }],
    options: { at: 'position' },
    async compute(call, ctx) {
      const h = head(call);
      const row = await ctx.subject();
      const q = at(call, row);
      const logits = await ctx.headLogits(row, h, 5);
      const value = visibleToken(logits.promoted[q]?.[0]?.token ?? '');
      return { value, evidence: [{ kind: 'logits', head: headLabel(h), logits, at: q }] };
    },
  },
  {
    name: 'heads-promoting',
    summary: 'the heads (layer=L) whose direct effect at at= puts the token at role= (IO, S1…) first, on at least half the rows',
    value: 'heads',
    args: [],
    options: { role: 'position', at: 'position', layer: 'layer', rows: 'number' },
    async compute(call, ctx) {
      const rows = await rowsOf(call, ctx);
      const counts = new Map<string, number>();
      for (const label of headsOf(call, ctx)) {
        const h = parseHead(label);
        if (h === null) continue;
        let hits = 0;
        for (const row of rows) {
          const [target] = fromPositions(row, call.options.role ?? 'IO');
          const logits = await ctx.headLogits(row, h, 1);
          if (target !== undefined && logits.promoted[at(call, row)]?.[0]?.id === row.ids[target]) hits++;
        }
        counts.set(label, hits / rows.length);
      }
      const value = [...counts].filter(([, f]) => f >= 0.5).map(([h]) => h);
      const table: Evidence = {
        kind: 'table',
        caption: `Share of ${rows.length} rows where the head's top promoted token at ${call.options.at ?? 'END'} is the ${call.options.role ?? 'IO'} name`,
        columns: ['head', 'share'],
        rows: [...counts].sort((a, b) => b[1] - a[1]).map(([h, f]) => [h, formatNumber(f)]),
      };
      return { value, evidence: [{ kind: 'heads', heads: value, caption: 'promote it on ≥ half the rows' }, table] };
    },
  },
  {
    name: 'lens-layer',
    summary: 'the first layer of the logit lens whose top token at at= is already the final prediction',
    value: 'text',
    args: [],
    options: { at: 'position' },
    async compute(call, ctx) {
      const row = await ctx.subject();
      const q = at(call, row);
      const lens = await ctx.logitLens(row, 3);
      const final = lens.layers[lens.layers.length - 1]?.top[q]?.[0]?.id;
      const first = lens.layers.find((l) => l.top[q]?.[0]?.id === final);
      return { value: first?.label ?? '', evidence: [{ kind: 'lens', lens, at: q }] };
    },
  },
  {
    name: 'lens-layers',
    summary: "the logit lens's layers (choices)",
    value: 'texts',
    args: [],
    options: {},
    async compute(_call, ctx) {
      const lens = await ctx.logitLens(await ctx.subject(), 1);
      return { value: lens.layers.map((l) => l.label), evidence: [] };
    },
  },
  {
    name: 'edge-attention',
    summary: 'the token whose attention (from the last position) changes most when EDGE, into a query or key, is removed',
    value: 'text',
    args: [{ name: 'EDGE', kind: 'edge' }],
    options: {},
    async compute(call, ctx) {
      if (ctx.graph === null) throw new NotYet('the model is still loading');
      const id = edgeId(ctx.graph, call.args[0]);
      const attention = await ctx.edgeAttention(id);
      const top = attention.changes[0];
      const value = visibleToken((top?.token ?? '').replace(/ \(position \d+\)$/, ''));
      return { value, evidence: [{ kind: 'edge-attention', edge: call.args[0], attention }] };
    },
  },
];
