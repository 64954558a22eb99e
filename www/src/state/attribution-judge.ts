// Judging an attribution run's circuits in the worker (`JudgeRun`): its
// faithfulness curve at MIB's sizes, one size at a time so the chart grows as
// each is evaluated, and the circuit at any size the slider asks for — the
// crate cuts the top n edges and prunes them (`pointAt`), so the page never
// cuts a circuit itself. Each cut is kept per run and size, so moving back to
// a size (or to one of the curve's) costs nothing.

import { FRACTIONS, type CurvePoint, type Roc } from '../generated/wire';
import type { Judged, WorkerClient } from '../worker-client';
import { fractionOf, type CircuitResult, type ScoredResult } from './attribution-results';

export class AttributionJudge {
  private readonly cuts = new WeakMap<ScoredResult, Map<number, Judged>>();

  constructor(private readonly client: () => WorkerClient) {}

  /**
   * Evaluates `result`'s curve at each of MIB's sizes in turn, calling
   * `point` after each; stops early (quietly) once `alive` says the answer is
   * no longer wanted.
   */
  async curve(result: ScoredResult, point: (p: CurvePoint) => void, alive: () => boolean): Promise<void> {
    for (const fraction of FRACTIONS) {
      if (!alive()) return;
      if (result.curve.some((p) => p.fraction === fraction)) continue;
      const judged = await this.client().judgePoint(result.settings, result.custom, result.scores, fraction);
      result.fullMetric = judged.fullMetric;
      result.emptyMetric = judged.emptyMetric;
      this.remember(result, judged.point.n, judged);
      if (!alive()) return;
      result.curve.push(judged.point);
      point(judged.point);
    }
  }

  /** The circuit of `result`'s top `n` ADDITION edges (of `total`), pruned, and its faithfulness. */
  async cut(result: ScoredResult, n: number, total: number): Promise<Judged> {
    const known = this.cuts.get(result)?.get(n);
    if (known) return known;
    const judged = await this.client().judgePoint(result.settings, result.custom, result.scores, fractionOf(n, total));
    this.remember(result, n, judged);
    return judged;
  }

  /** ACDC's circuit as one point, judged on the data and metric of `like` (a run of the same data). */
  async circuit(acdc: CircuitResult, like: Pick<ScoredResult, 'settings' | 'custom'>): Promise<CurvePoint> {
    const judged = await this.client().judgeCircuit(like.settings, like.custom, acdc.kept);
    return judged.point;
  }

  async roc(result: ScoredResult, groundTruth: string): Promise<Roc> {
    return this.client().roc(result.settings, result.custom, result.scores, groundTruth);
  }

  private remember(result: ScoredResult, n: number, judged: Judged): void {
    let byN = this.cuts.get(result);
    if (byN === undefined) {
      byN = new Map();
      this.cuts.set(result, byN);
    }
    byN.set(n, judged);
  }
}
