// Measures of ACDC's run on the stage and of the lesson's finished runs: the
// circuit (its heads, its edges, its size), the edge just tested and its Δ,
// what removing one edge or head costs under each ablation (patched passes in
// the worker), the circuit's faithfulness, the knee of a τ sweep, and the
// circuit against a compiled model's ground truth.

import { ABLATIONS, type Ablation, type GraphInfo } from '../../generated/wire';
import { Fate } from '../../state/run-state';
import { edgeId, edgeNames, headLabel, parseHead } from '../refs';
import { bestOf, formatNumber, knee, type SweepPoint } from '../scores';
import type { MeasureCall } from '../format';
import { NotYet, type Evidence, type MeasureContext, type MeasureDef, type RunView } from './types';

function graphOf(ctx: MeasureContext): GraphInfo {
  if (ctx.graph === null) throw new NotYet('the model is still loading');
  return ctx.graph;
}

function runOf(ctx: MeasureContext): RunView {
  const run = ctx.run();
  if (run === null) throw new NotYet('run ACDC first');
  return run;
}

function finished(ctx: MeasureContext): RunView & { circuit: NonNullable<RunView['circuit']> } {
  const run = runOf(ctx);
  if (run.circuit === null) throw new NotYet('let the run finish first');
  return { ...run, circuit: run.circuit };
}

/** Whether a kept edge matches `into=` / `from=` (a head, `logits`, `MLP 1`, `embed`, or a port `q`, `k`, `v`). */
function matches(name: string, call: MeasureCall): boolean {
  const [sender, receiver] = name.split(' -> ');
  const into = call.options.into;
  const from = call.options.from;
  const fits = (part: string, want: string | undefined) =>
    want === undefined || part === want || part.startsWith(`${want} `) || part.endsWith(` ${want}`);
  return fits(receiver, into) && fits(sender, from);
}

function keptNames(ctx: MeasureContext, run: RunView, call: MeasureCall): string[] {
  const names = edgeNames(graphOf(ctx));
  return names.filter((n, e) => n !== '' && run.state.fate[e] === Fate.Kept && matches(n, call));
}

/** A circuit with every edge but those `drop` marks. */
function without(graph: GraphInfo, drop: (e: number) => boolean): Uint8Array {
  return Uint8Array.from(graph.edges, (e) => (drop(e.id) ? 0 : 1));
}

function keptBitmap(run: RunView): Uint8Array {
  return Uint8Array.from(run.state.fate, (_, e) => (run.state.present(e) ? 1 : 0));
}

async function edgeEffects(call: MeasureCall, ctx: MeasureContext, ablations: readonly Ablation[]): Promise<Map<string, number>> {
  const graph = graphOf(ctx);
  const id = edgeId(graph, call.args[0]);
  const out = new Map<string, number>();
  for (const ablation of ablations) {
    const { points, fullMetric } = await ctx.measure([without(graph, (e) => e === id)], ablation);
    out.set(ablation, points[0].metric - fullMetric);
  }
  return out;
}

async function headEffects(ctx: MeasureContext, heads: string[]): Promise<Map<string, number>> {
  const graph = graphOf(ctx);
  const out = new Map<string, number>();
  const circuits = heads.map((label) => {
    const h = parseHead(label);
    return without(graph, (e) => {
      const s = graph.nodes[graph.edges[e].sender];
      return graph.edges[e].type === 'addition' && s.hook === 'result' && s.layer === h?.layer && s.head === h.head;
    });
  });
  const { points, fullMetric } = await ctx.measure(circuits);
  heads.forEach((h, i) => out.set(h, points[i].metric - fullMetric));
  return out;
}

/** The lesson's comparable finished runs, one point per τ (the last run at each), with their faithfulness. */
export async function sweepOf(ctx: MeasureContext): Promise<SweepPoint[]> {
  const last = new Map(ctx.runs().map((r) => [r.settings.tau, r]));
  const runs = [...last.values()];
  if (runs.length === 0) return [];
  const { points } = await ctx.measure(runs.map((r) => r.kept));
  return runs.map((r, i) => ({ tau: r.settings.tau, kept: r.keptCount, f: points[i].f }));
}

function table(caption: string, columns: string[], map: Map<string, number>): Evidence {
  return { kind: 'table', caption, columns, rows: [...map].map(([k, v]) => [k, formatNumber(v)]) };
}

function lastTested(ctx: MeasureContext): { run: RunView; edge: number; name: string; delta: number } {
  const run = runOf(ctx);
  const edge = run.state.current ?? -1;
  if (edge < 0) throw new NotYet('step ACDC one edge first');
  return { run, edge, name: edgeNames(graphOf(ctx))[edge], delta: run.state.delta[edge] };
}

function decisionText(name: string, delta: number, tau: number, kept: boolean): string {
  return `Removing ${name} changed the metric by Δ = ${formatNumber(delta)}; τ is ${tau}, so ACDC ${kept ? `kept it (Δ ≥ τ)` : `removed it (Δ < τ)`}.`;
}

export const RUN_MEASURES: MeasureDef[] = [
  {
    name: 'kept-heads',
    summary: 'the heads (layer=L) whose output feeds a kept edge (into=logits: a kept edge to the logits)',
    value: 'heads',
    args: [],
    options: { layer: 'layer', into: 'text' },
    async compute(call, ctx) {
      const run = finished(ctx);
      const into: Record<string, string> = call.options.into === undefined ? {} : { into: call.options.into };
      const names = keptNames(ctx, run, { ...call, options: into }).filter((n) => /^A\d+\.\d+ -> /.test(n));
      const heads = [...new Set(names.map((n) => n.split(' -> ')[0]))].filter((h) => call.options.layer === undefined || h.startsWith(`A${call.options.layer}.`)).sort();
      return { value: heads, evidence: [{ kind: 'heads', heads, caption: 'in the circuit' }, { kind: 'edges', edges: names.filter((n) => heads.includes(n.split(' -> ')[0])), caption: 'their kept edges' }] };
    },
  },
  {
    name: 'kept-edges',
    summary: 'the kept edges (into= a receiver, from= a sender)',
    value: 'edges',
    args: [],
    options: { into: 'text', from: 'text' },
    async compute(call, ctx) {
      const edges = keptNames(ctx, finished(ctx), call);
      return { value: edges, evidence: [{ kind: 'edges', edges, caption: 'kept' }] };
    },
  },
  {
    name: 'kept-count',
    summary: 'how many edges the circuit keeps',
    value: 'number',
    args: [],
    options: {},
    async compute(_call, ctx) {
      const run = finished(ctx);
      return { value: run.circuit.kept.length, evidence: [{ kind: 'text', text: `ACDC kept ${run.circuit.kept.length} of ${run.circuit.graph.edges} edges at τ = ${run.settings.tau}.` }] };
    },
  },
  {
    name: 'tested-count',
    summary: 'how many edges the run has tested so far',
    value: 'number',
    args: [],
    options: {},
    async compute(_call, ctx) {
      const run = runOf(ctx);
      return { value: run.state.tested, evidence: [{ kind: 'text', text: `${run.state.tested} edges tested so far.` }] };
    },
  },
  {
    name: 'last-edge',
    summary: 'the edge ACDC tested last',
    value: 'edges',
    args: [],
    options: {},
    async compute(_call, ctx) {
      const t = lastTested(ctx);
      const kept = t.run.state.fate[t.edge] === Fate.Kept;
      return { value: [t.name], evidence: [{ kind: 'edges', edges: [t.name], caption: 'tested last' }, { kind: 'text', text: decisionText(t.name, t.delta, t.run.settings.tau, kept) }] };
    },
  },
  {
    name: 'last-delta',
    summary: 'Δ of the edge tested last: the metric without it minus the metric with it',
    value: 'number',
    args: [],
    options: {},
    async compute(_call, ctx) {
      const t = lastTested(ctx);
      const kept = t.run.state.fate[t.edge] === Fate.Kept;
      return { value: t.delta, evidence: [{ kind: 'edges', edges: [t.name], caption: 'tested last' }, { kind: 'text', text: decisionText(t.name, t.delta, t.run.settings.tau, kept) }] };
    },
  },
  {
    name: 'last-decision',
    summary: '"kept" or "removed": what ACDC did with the edge tested last',
    value: 'text',
    args: [],
    options: {},
    async compute(_call, ctx) {
      const t = lastTested(ctx);
      const kept = t.run.state.fate[t.edge] === Fate.Kept;
      return { value: kept ? 'kept' : 'removed', evidence: [{ kind: 'edges', edges: [t.name], caption: 'tested last' }, { kind: 'text', text: decisionText(t.name, t.delta, t.run.settings.tau, kept) }] };
    },
  },
  {
    name: 'delta',
    summary: 'Δ of EDGE in the run on the stage (once it is tested)',
    value: 'number',
    args: [{ name: 'EDGE', kind: 'edge' }],
    options: {},
    async compute(call, ctx) {
      const run = runOf(ctx);
      const id = edgeId(graphOf(ctx), call.args[0]);
      const delta = run.state.delta[id];
      if (id < 0 || Number.isNaN(delta)) throw new NotYet(`ACDC has not tested ${call.args[0]} yet`);
      const kept = run.state.fate[id] === Fate.Kept;
      return { value: delta, evidence: [{ kind: 'edges', edges: [call.args[0]], caption: 'this edge' }, { kind: 'text', text: decisionText(call.args[0], delta, run.settings.tau, kept) }] };
    },
  },
  {
    name: 'decision',
    summary: '"kept", "removed" or "untested": what ACDC did with EDGE',
    value: 'text',
    args: [{ name: 'EDGE', kind: 'edge' }],
    options: {},
    async compute(call, ctx) {
      const run = runOf(ctx);
      const id = edgeId(graphOf(ctx), call.args[0]);
      const fate = run.state.fate[id];
      const value = fate === Fate.Kept ? 'kept' : fate === Fate.Removed || fate === Fate.Skipped ? 'removed' : 'untested';
      const why = fate === Fate.Skipped ? `${call.args[0]} was removed untested: its receiver fed nothing any more.` : Number.isNaN(run.state.delta[id]) ? `${call.args[0]} is not tested yet.` : decisionText(call.args[0], run.state.delta[id], run.settings.tau, fate === Fate.Kept);
      return { value, evidence: [{ kind: 'edges', edges: [call.args[0]], caption: 'this edge' }, { kind: 'text', text: why }] };
    },
  },
  {
    name: 'edge-effect',
    summary: 'how much removing EDGE alone from the full model moves the metric (ablation=: resample, zero, mean)',
    value: 'number',
    args: [{ name: 'EDGE', kind: 'edge' }],
    options: { ablation: 'ablation' },
    async compute(call, ctx) {
      const ablation = (ABLATIONS.find((a) => a === call.options.ablation) ?? ctx.settings?.ablation ?? 'resample');
      const effects = await edgeEffects(call, ctx, [ablation]);
      const value = effects.get(ablation) ?? 0;
      return { value, evidence: [{ kind: 'edges', edges: [call.args[0]], caption: 'removed alone' }, table(`Metric change when ${call.args[0]} alone is removed`, ['ablation', 'Δ metric'], effects)] };
    },
  },
  {
    name: 'strongest-ablation',
    summary: 'of resample, zero and mean, the ablation under which removing EDGE alone moves the metric most',
    value: 'text',
    args: [{ name: 'EDGE', kind: 'edge' }],
    options: {},
    async compute(call, ctx) {
      const effects = await edgeEffects(call, ctx, ABLATIONS);
      const [value] = bestOf(new Map([...effects].map(([a, d]) => [a, Math.abs(d)])), 0);
      return { value, evidence: [{ kind: 'edges', edges: [call.args[0]], caption: 'removed alone' }, table(`Metric change when ${call.args[0]} alone is removed`, ['ablation', 'Δ metric'], effects)] };
    },
  },
  {
    name: 'head-effect',
    summary: 'how much removing every output of HEAD (all heads listed, comma-separated) moves the metric',
    value: 'number',
    args: [{ name: 'HEADS', kind: 'heads' }],
    options: {},
    async compute(call, ctx) {
      const heads = call.args[0].split(',');
      const effects = await headEffects(ctx, heads);
      const value = [...effects.values()].reduce((s, d) => s + d, 0) / Math.max(1, effects.size);
      return { value, evidence: [{ kind: 'heads', heads, caption: 'ablated' }, table('Metric change when the head is removed', ['head', 'Δ metric'], effects)] };
    },
  },
  {
    name: 'most-important-head',
    summary: 'the head (layer=L) whose removal moves the metric most',
    value: 'heads',
    args: [],
    options: { layer: 'layer' },
    async compute(call, ctx) {
      const graph = graphOf(ctx);
      const heads: string[] = [];
      for (let l = 0; l < graph.nLayers; l++) {
        for (let h = 0; h < graph.nHeads; h++) if (call.options.layer === undefined || String(l) === call.options.layer) heads.push(headLabel({ layer: l, head: h }));
      }
      const effects = await headEffects(ctx, heads);
      const value = bestOf(new Map([...effects].map(([h, d]) => [h, Math.abs(d)])), 0).slice(0, 1);
      const sorted = new Map([...effects].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])));
      return { value, evidence: [{ kind: 'heads', heads: value, caption: 'moves the metric most' }, table('Metric change when one head is removed', ['head', 'Δ metric'], sorted)] };
    },
  },
  {
    name: 'faithfulness',
    summary: "f of the finished run's circuit: (M(C) − M(∅)) / (M(N) − M(∅))",
    value: 'number',
    args: [],
    options: {},
    async compute(_call, ctx) {
      const run = finished(ctx);
      const { points, fullMetric, emptyMetric } = await ctx.measure([keptBitmap(run)]);
      const p = points[0];
      const text = `M(circuit) = ${formatNumber(p.metric)}, M(full model) = ${formatNumber(fullMetric)}, M(no edges) = ${formatNumber(emptyMetric)}: f = ${formatNumber(p.f)}.`;
      return { value: p.f, evidence: [{ kind: 'text', text }] };
    },
  },
  {
    name: 'sweep-taus',
    summary: "the τ values of the lesson's finished runs (choices)",
    value: 'texts',
    args: [],
    options: {},
    async compute(_call, ctx) {
      const taus = [...new Set(ctx.runs().map((r) => r.settings.tau))].sort((a, b) => b - a);
      if (taus.length === 0) throw new NotYet('run ACDC at a few values of τ first');
      return { value: taus.map(String), evidence: [] };
    },
  },
  {
    name: 'knee',
    summary: "of the lesson's finished runs, the τ of the smallest circuit whose f is at least min= (0.8) of the best",
    value: 'text',
    args: [],
    options: { min: 'number' },
    async compute(call, ctx) {
      const runs = ctx.runs();
      if (runs.length < 2) throw new NotYet('run ACDC at two or more values of τ first');
      const sweep = await sweepOf(ctx);
      const best = knee(sweep, Number(call.options.min ?? 0.8));
      const rows = [...sweep].sort((a, b) => b.tau - a.tau).map((p) => [String(p.tau), p.kept, formatNumber(p.f)]);
      return {
        value: String(best?.tau ?? ''),
        evidence: [
          { kind: 'sweep', points: sweep, knee: best },
          { kind: 'table', caption: 'Your runs: circuit size and faithfulness', columns: ['τ', 'edges kept', 'f'], rows },
        ],
      };
    },
  },
  {
    name: 'kept-change',
    summary: '"more", "fewer" or "same": edges kept now against the last run finished in step since=',
    value: 'text',
    args: [],
    options: { since: 'step' },
    async compute(call, ctx) {
      const now = finished(ctx);
      const before = [...ctx.allRuns()].reverse().find((r) => r.step === call.options.since);
      if (before === undefined) throw new NotYet(`finish a run in step "${call.options.since}" first`);
      const [a, b] = [before.keptCount, now.circuit.kept.length];
      return { value: b > a ? 'more' : b < a ? 'fewer' : 'same', evidence: [{ kind: 'text', text: `Then ${a} edges were kept; now ${b}.` }] };
    },
  },
  {
    name: 'truth-size',
    summary: "how many edges the compiled model's ground truth has",
    value: 'number',
    args: [],
    options: {},
    async compute(_call, ctx) {
      const overlay = await ctx.truth(new Uint8Array(graphOf(ctx).edges.length));
      if (overlay === null) throw new NotYet('this model has no ground truth');
      return { value: overlay.misses, evidence: [{ kind: 'text', text: `The program uses ${overlay.misses} of the graph's ${graphOf(ctx).counts.edges} edges.` }] };
    },
  },
  ...(['tpr', 'fpr'] as const).map(
    (rate): MeasureDef => ({
      name: rate,
      summary: rate === 'tpr' ? 'the share of the ground truth the circuit found' : 'the share of the edges outside the ground truth the circuit kept',
      value: 'number',
      args: [],
      options: {},
      async compute(_call, ctx) {
        const overlay = await ctx.truth(keptBitmap(finished(ctx)));
        if (overlay === null) throw new NotYet('this model has no ground truth');
        const text = `${overlay.truePositives} true positives, ${overlay.misses} misses, ${overlay.extras} extras: TPR ${formatNumber(overlay.tpr)}, FPR ${formatNumber(overlay.fpr)}.`;
        return { value: overlay[rate], evidence: [{ kind: 'text', text }] };
      },
    }),
  ),
];
