// What the ACDC stage says in words outside the explanation (the status line,
// the re-run notice) and the small pure pieces it derives from a run: the
// metric curve for the chart and the check that a circuit.json came back.
// Pure, so the stage stays about wiring.

import type { MetricCurve } from '../charts/metric-chart';
import { formatShort, formatTau } from '../charts/format';
import { summaryNarration, type RunContext } from '../explain/narrate';
import { METRIC_WORDS } from '../explain/words';
import type { Circuit } from '../generated/wire';
import type { RunState } from '../state/run-state';
import type { Settings } from '../state/settings';
import type { RunPhase } from './run-buttons';

/** The re-run offer when the run shown used other settings than the form shows now (null: none). */
export interface Notice {
  text: string;
  label: string;
}

export function noticeOf(shown: Settings, now: Settings, active: boolean): Notice | null {
  const changed = (Object.keys(now) as (keyof Settings)[]).filter((k) => k !== 'model' && now[k] !== shown[k]);
  if (changed.length === 0) return null;
  const onlyTau = changed.length === 1 && changed[0] === 'tau';
  const what = active ? 'The run in progress uses' : 'This run used';
  return {
    text: onlyTau
      ? `${what} τ = ${formatTau(shown.tau)} for every decision; τ is now ${formatTau(now.tau)}.`
      : `${what} other settings (${changed.join(', ')}) than the form shows now.`,
    label: onlyTau ? `Re-run at τ = ${formatTau(now.tau)}` : 'Re-run with these settings',
  };
}

/** What the explanation says while an attribution run scores the edges. */
export function attributionIntro(algorithm: Settings['algorithm']): string {
  const method = algorithm === 'exact' ? 'exact patching' : algorithm.toUpperCase();
  return `Scoring every edge with ${method}: the circuit is the top edges by |score|, judged by its faithfulness below.`;
}

/** One sentence for the status line (and screen readers) when a run ends. */
export function doneStatus(ctx: RunContext | null, state: RunState): string {
  if (ctx === null) return 'ACDC is done.';
  const s = summaryNarration(ctx, state);
  const m = METRIC_WORDS[ctx.metric];
  const heads = s.heads.length === 0 ? 'no head' : s.heads.length <= 8 ? s.heads.join(', ') : `${s.heads.length} heads`;
  const final = state.status?.currentMetric;
  return (
    `ACDC is done: ${s.kept} of ${s.total} edges kept (the circuit), through ${heads}` +
    (final === undefined ? '.' : `; final ${m.short} ${formatShort(final)} at τ = ${formatTau(ctx.tau)}.`)
  );
}

/** The status line for a phase (null: nothing, the page's own line; undefined: leave it). */
export function phaseStatus(mode: 'acdc' | 'attribution', phase: RunPhase, ctx: RunContext | null): string | null | undefined {
  if (mode === 'attribution') {
    const words: Partial<Record<RunPhase, string>> = {
      starting: 'Scoring the edges: measuring the full model…',
      running: 'Scoring every edge.',
      paused: 'Scoring is paused: Step scores one more batch, Resume goes on.',
    };
    return words[phase] ?? null;
  }
  const tau = ctx ? ` at τ = ${formatTau(ctx.tau)}` : '';
  switch (phase) {
    case 'starting':
      return `ACDC is starting${tau}: measuring the full model…`;
    case 'running':
      return `ACDC is running${tau}: removing edges one at a time.`;
    case 'paused':
      return 'ACDC is paused: Step tests one more edge, Resume goes on.';
    case 'idle':
    case 'failed':
      return null;
    default:
      return undefined;
  }
}

/** A run's metric curve for the chart. */
export function curveOf(state: RunState, settings: Settings): MetricCurve {
  const status = state.status;
  const xMax = status?.done ? state.tested : state.tested + state.remaining;
  return {
    points: state.history,
    metric: settings.metric,
    tau: settings.tau,
    initial: status?.initialMetric ?? state.history[0]?.metric ?? 0,
    xMax: Math.max(1, xMax),
  };
}

/** circuit.json as the worker sends it (`unknown` on the wire). */
export function isCircuit(value: unknown): value is Circuit {
  return typeof value === 'object' && value !== null && 'kept' in value && Array.isArray(value.kept) && 'graph' in value;
}
