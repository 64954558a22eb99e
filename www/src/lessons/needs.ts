// What a question waits for before it can be checked (`needs:`), told from
// the page: the run on the stage, the lesson's finished runs, and what the
// student did since the step opened (a prediction, a head opened, a program
// compiled).

import type { Need } from './format';
import type { LessonHost } from './host';
import type { RunRecord } from './measures/types';

/** What happened since the step opened. */
export interface StepMemory {
  predicted: boolean;
  heads: Set<string>;
  /** Sources of the programs compiled (successfully) since. */
  compiled: string[];
}

export function freshMemory(): StepMemory {
  return { predicted: false, heads: new Set(), compiled: [] };
}

export interface NeedStatus {
  need: Need;
  label: string;
  met: boolean;
  /** Where on the page it is done. */
  where: 'graph' | 'prompt' | 'rasp';
}

export function needStatus(need: Need, host: LessonHost, memory: StepMemory, runs: readonly RunRecord[], shippedPrograms: readonly string[]): NeedStatus {
  const run = host.run();
  switch (need.kind) {
    case 'run':
      return { need, label: 'Run ACDC to the end (Run, on the stage)', met: run.phase === 'done', where: 'graph' };
    case 'tested':
      return {
        need,
        label: need.atLeast === 1 ? 'Test one edge (Step one edge)' : `Test ${need.atLeast} edges (Step one edge)`,
        met: (run.state?.tested ?? 0) >= need.atLeast && run.phase !== 'pausing' && run.phase !== 'starting',
        where: 'graph',
      };
    case 'runs': {
      const taus = new Set(runs.map((r) => r.settings.tau));
      return { need, label: `Finish runs at ${need.atLeast} different values of τ (${taus.size} so far)`, met: taus.size >= need.atLeast, where: 'graph' };
    }
    case 'prediction':
      return { need, label: 'Predict the next token (Predict, under the prompt)', met: memory.predicted, where: 'prompt' };
    case 'compiled': {
      const met = need.changed ? memory.compiled.some((s) => !shippedPrograms.includes(s.trim())) : memory.compiled.length > 0;
      return { need, label: need.changed ? 'Change the program and compile it' : 'Compile the program in the RASP editor', met, where: 'rasp' };
    }
    case 'head':
      return { need, label: `Open head ${need.head} (click it on the graph, or Tab to it and press Enter)`, met: memory.heads.has(need.head), where: 'graph' };
  }
}
