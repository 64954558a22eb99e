// Judging circuits in the worker (docs/methods.md#faithfulness-cpr-and-cmd-mib-2025):
// one `JudgeRun` — the clean and corrupted runs of some data, M(N) and M(∅) —
// kept for the last data, metric and ablation asked about on the loaded
// model, so the ten points of a curve, a size slider's cuts and a ROC reuse
// it. Every call here runs under the worker's one lock.

import type { CurvePoint, CustomTask, Roc, RunSettings } from '../generated/wire';
import type { JudgeRun, Session } from '../pkg/circuitscope.js';
import { wasm } from './wasm';
import type { JudgeCircuitRequest, JudgedResponse, JudgePointRequest, RocRequest } from '../protocol';
import { runData } from './run-data';

interface Cached {
  session: Session;
  key: string;
  judge: JudgeRun;
}

let cached: Cached | null = null;

/** What decides the judge: the data (task, rows, seed, or the custom rows), the metric, the ablation. */
function keyOf(settings: RunSettings, custom: CustomTask | undefined): string {
  const { task, metric, ablation, seed, rows } = settings;
  return JSON.stringify(custom === undefined ? { task, metric, ablation, seed, rows } : { custom, metric, ablation });
}

async function judgeFor(session: Session, settings: RunSettings, custom: CustomTask | undefined): Promise<JudgeRun> {
  const key = keyOf(settings, custom);
  if (cached !== null && cached.session === session && cached.key === key) return cached.judge;
  cached?.judge.free();
  cached = null;
  const { data } = runData(session, settings, custom);
  const judge: JudgeRun = await wasm().JudgeRun.start(session, settings, data);
  cached = { session, key, judge };
  return judge;
}

/** Forgets the judge (the model it belongs to is going away). */
export function dropJudge(): void {
  cached?.judge.free();
  cached = null;
}

type Judged = Omit<JudgedResponse, 'id' | 'type'>;

export async function judgePoint(session: Session, request: JudgePointRequest): Promise<Judged> {
  const judge = await judgeFor(session, request.settings, request.custom);
  const out: { point: CurvePoint; kept: number[] } = await judge.pointAt(request.scores, request.fraction);
  return { point: out.point, kept: Uint8Array.from(out.kept), fullMetric: judge.fullMetric, emptyMetric: judge.emptyMetric };
}

export async function judgeCircuit(session: Session, request: JudgeCircuitRequest): Promise<Judged> {
  const judge = await judgeFor(session, request.settings, request.custom);
  const point: CurvePoint = await judge.pointOf(request.kept);
  return { point, kept: request.kept, fullMetric: judge.fullMetric, emptyMetric: judge.emptyMetric };
}

export async function roc(session: Session, request: RocRequest): Promise<Roc> {
  const judge = await judgeFor(session, request.settings, request.custom);
  return judge.roc(request.scores, request.groundTruth);
}
