// The worker's "why" requests (docs/worker-protocol.md#inspection): the logit
// lens, a head's direct effect on the logits, an edge's effect on the
// attention of the head it feeds, circuits measured on the task's data (M and
// faithfulness, the way a head or an edge is ablated alone), and every edge's
// attribution score. Each is a real forward (and, for EAP, backward) pass of
// the loaded model. Called under the worker's one lock (session.ts).

import { RequestError } from '../errors';
import type { CurvePoint, EdgeAttention, HeadLogits, LogitLens, RunSettings } from '../generated/wire';
import type { AttributionRun, JudgeRun, Session } from '../pkg/circuitscope.js';
import { wasm } from './wasm';
import type {
  EdgeAttentionRequest,
  EdgeScoresRequest,
  HeadLogitsRequest,
  LogitLensRequest,
  MeasureCircuitsRequest,
} from '../protocol';
import { requireSession } from './session';

/** Attribution steps per wasm call (the request holds the lock to the end). */
const SCORE_STEPS = 16;

export async function logitLens(request: LogitLensRequest): Promise<LogitLens> {
  const session = await requireSession('inspect');
  return session.logitLens(Uint32Array.from(request.ids), request.k);
}

export async function headLogits(request: HeadLogitsRequest): Promise<HeadLogits> {
  const session = await requireSession('inspect');
  return session.headLogits(Uint32Array.from(request.ids), request.layer, request.head, request.k);
}

export async function edgeAttention(request: EdgeAttentionRequest): Promise<EdgeAttention> {
  const session = await requireSession('inspect');
  return session.edgeAttention(request.settings, undefined, request.edge, request.row);
}

/** The judge of the last data asked about, while the model stays the one it was built on. */
let judge: { session: Session; key: string; run: JudgeRun } | null = null;

/** What decides a judge's clean and corrupted runs (τ and the visit orders do not). */
function judgeKey(settings: RunSettings): string {
  const { task, metric, ablation, seed, rows } = settings;
  return JSON.stringify({ task, metric, ablation, seed, rows });
}

async function judgeFor(session: Session, settings: RunSettings): Promise<JudgeRun> {
  const key = judgeKey(settings);
  if (judge !== null && judge.session === session && judge.key === key) return judge.run;
  judge?.run.free();
  judge = null;
  const run: JudgeRun = await wasm().JudgeRun.start(session, settings, undefined);
  judge = { session, key, run };
  return run;
}

export async function measureCircuits(
  request: MeasureCircuitsRequest,
): Promise<{ points: CurvePoint[]; fullMetric: number; emptyMetric: number }> {
  const session = await requireSession('inspect');
  const run = await judgeFor(session, request.settings);
  const points: CurvePoint[] = [];
  for (const kept of request.circuits) points.push(await run.pointOf(kept));
  return { points, fullMetric: run.fullMetric, emptyMetric: run.emptyMetric };
}

export async function edgeScores(request: EdgeScoresRequest): Promise<Float64Array> {
  if (request.settings.algorithm === 'acdc') {
    throw new RequestError('inspect', 'edge scores come from exact, eap or eap-ig, not acdc');
  }
  const session = await requireSession('inspect');
  const run: AttributionRun = await wasm().AttributionRun.start(session, request.settings, undefined);
  try {
    for (;;) {
      const progress: unknown = await run.step(SCORE_STEPS);
      if (typeof progress === 'object' && progress !== null && 'done' in progress && progress.done === true) break;
    }
    return run.perEdge();
  } finally {
    run.free();
  }
}
