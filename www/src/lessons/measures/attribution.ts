// Measures that hold the attribution methods against each other
// (docs/methods.md): every ADDITION edge scored by exact patching, EAP or
// EAP-IG in the worker, on the settings' task, metric and ablation.

import type { MetricKind } from '../../generated/wire';
import { METRICS } from '../../generated/wire';
import { edgeNames } from '../refs';
import { formatNumber, rankCorrelation } from '../scores';
import type { MeasureCall } from '../format';
import { NotYet, type MeasureContext, type MeasureDef } from './types';

type Method = 'exact' | 'eap' | 'eap-ig';
const METHODS: readonly Method[] = ['exact', 'eap', 'eap-ig'];

function method(call: MeasureCall): Method {
  return METHODS.find((m) => m === call.options.method) ?? 'exact';
}

function metric(call: MeasureCall): MetricKind | undefined {
  return METRICS.find((m) => m === call.options.metric);
}

/** Scores as estimates of exact's Δ: EAP and EAP-IG divide by the number of rows B (docs/methods.md). */
async function estimates(ctx: MeasureContext, m: Method, kind?: MetricKind): Promise<{ names: string[]; scores: number[] }> {
  if (ctx.graph === null) throw new NotYet('the model is still loading');
  const raw = await ctx.edgeScores(m, kind);
  const rows = m === 'exact' ? 1 : ctx.dataRows;
  const names = edgeNames(ctx.graph);
  const out = { names: [] as string[], scores: [] as number[] };
  raw.forEach((s, e) => {
    if (Number.isNaN(s)) return;
    out.names.push(names[e]);
    out.scores.push(s * rows);
  });
  return out;
}

function top(list: { names: string[]; scores: number[] }, n: number): [string, number][] {
  return list.names.map((name, i) => [name, list.scores[i]] as [string, number]).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, n);
}

/** Only the edges into `into=` (a receiver: `logits`, `A1.2`, `MLP 0`), when given. */
function into(call: MeasureCall, list: { names: string[]; scores: number[] }): { names: string[]; scores: number[] } {
  const want = call.options.into;
  if (want === undefined) return list;
  const keep = list.names.map((n) => {
    const receiver = n.split(' -> ')[1] ?? '';
    return receiver === want || receiver.startsWith(`${want} `);
  });
  return { names: list.names.filter((_, i) => keep[i]), scores: list.scores.filter((_, i) => keep[i]) };
}

export const ATTRIBUTION_MEASURES: MeasureDef[] = [
  {
    name: 'top-edge',
    summary: 'the edge method= (exact, eap, eap-ig) scores highest in absolute value (into= a receiver)',
    value: 'edges',
    args: [],
    options: { method: 'method', metric: 'metric', into: 'text' },
    async compute(call, ctx) {
      const list = into(call, await estimates(ctx, method(call), metric(call)));
      const best = top(list, 5);
      return {
        value: best.slice(0, 1).map(([n]) => n),
        evidence: [
          { kind: 'edges', edges: best.slice(0, 1).map(([n]) => n), caption: `${method(call)}'s top edge` },
          { kind: 'table', caption: `${method(call)}: the five largest estimates of Δ`, columns: ['edge', 'estimate'], rows: best.map(([n, s]) => [n, formatNumber(s)]) },
        ],
      };
    },
  },
  {
    name: 'top-edges',
    summary: 'the N edges method= scores highest in absolute value (choices)',
    value: 'edges',
    args: [{ name: 'N', kind: 'number' }],
    options: { method: 'method', metric: 'metric' },
    async compute(call, ctx) {
      const list = await estimates(ctx, method(call), metric(call));
      return { value: top(list, Number(call.args[0])).map(([n]) => n).sort(), evidence: [] };
    },
  },
  {
    name: 'max-score',
    summary: "the largest |estimate of Δ| of method= (EAP's are all ≈ 0 under KL)",
    value: 'number',
    args: [],
    options: { method: 'method', metric: 'metric' },
    async compute(call, ctx) {
      const list = await estimates(ctx, method(call), metric(call));
      const value = Math.max(0, ...list.scores.map(Math.abs));
      const text = `The largest |estimate| among ${list.scores.length} edges is ${formatNumber(value)}${metric(call) ? ` under ${metric(call)}` : ''}.`;
      return { value, evidence: [{ kind: 'text', text }] };
    },
  },
  {
    name: 'misled-edge',
    summary: "the edge where method= (eap, eap-ig) is furthest from exact's Δ (into= a receiver)",
    value: 'edges',
    args: [],
    options: { method: 'method', metric: 'metric', into: 'text' },
    async compute(call, ctx) {
      const m = method(call);
      const [estimate, exact] = [into(call, await estimates(ctx, m, metric(call))), await estimates(ctx, 'exact', metric(call))];
      const gaps = estimate.names.map((n, i) => [n, estimate.scores[i], exact.scores[exact.names.indexOf(n)] ?? 0] as const);
      gaps.sort((a, b) => Math.abs(b[1] - b[2]) - Math.abs(a[1] - a[2]));
      const value = gaps.slice(0, 1).map(([n]) => n);
      return {
        value,
        evidence: [
          { kind: 'edges', edges: value, caption: `${m} misleads most` },
          { kind: 'table', caption: `Where ${m} and exact patching disagree most`, columns: ['edge', m, 'exact'], rows: gaps.slice(0, 5).map(([n, e, x]) => [n, formatNumber(e), formatNumber(x)]) },
        ],
      };
    },
  },
  {
    name: 'closer-to-exact',
    summary: '"eap" or "eap-ig": whose ranking of the edges agrees more with exact patching (Spearman)',
    value: 'text',
    args: [],
    options: { metric: 'metric' },
    async compute(call, ctx) {
      const exact = await estimates(ctx, 'exact', metric(call));
      const rho = new Map<string, number>();
      for (const m of ['eap', 'eap-ig'] as const) {
        const list = await estimates(ctx, m, metric(call));
        rho.set(m, rankCorrelation(list.scores.map(Math.abs), list.names.map((n) => Math.abs(exact.scores[exact.names.indexOf(n)] ?? 0))));
      }
      const value = (rho.get('eap') ?? 0) > (rho.get('eap-ig') ?? 0) ? 'eap' : 'eap-ig';
      return { value, evidence: [{ kind: 'table', caption: 'Rank correlation with exact patching', columns: ['method', 'Spearman ρ'], rows: [...rho].map(([m, r]) => [m, formatNumber(r)]) }] };
    },
  },
];
