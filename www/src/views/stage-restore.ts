// The ACDC stage's memory of the last finished circuit (state/last-circuit.ts):
// it keeps each run that finishes, and when the stage has nothing to show for
// the settings of the moment (a reload, the model loaded again after a
// crashed worker) it offers the circuit kept for exactly those settings, once.
// A teacher reloading a page expects the circuit found a minute ago, not a
// blank graph or a silent recomputation; "Run again" is one press away.

import { CUSTOM_TASK } from '../state/custom-task';
import { circuitKey, keepCircuit, keptCircuit, type FinishedRun } from '../state/last-circuit';
import type { PageState } from '../state/page-state';
import { acdcSettings } from '../state/settings';

export class StageRestore {
  /** The key last looked up (each is looked up once, until the graph changes). */
  private looked: string | null = null;
  /** When the circuit shown was finished, if it was restored rather than run here. */
  private restoredAt: string | null = null;

  /** The circuit kept for the settings of the moment, if not looked up already. */
  take(state: PageState): FinishedRun | null {
    const key = keyOf(state);
    if (key === null || key === this.looked) return null;
    this.looked = key;
    const kept = keptCircuit(key);
    this.restoredAt = kept?.finishedAt ?? null;
    return kept;
  }

  /** A run finished here: keep it (and it is not a restored one). */
  keep(state: PageState, run: FinishedRun | null): void {
    if (this.restoredAt !== null) return;
    const key = keyOf(state);
    if (key !== null && run !== null) keepCircuit(key, run);
    this.looked = key;
  }

  /** The circuit shown is no longer the restored one (a new run, a reset). */
  drop(): void {
    this.restoredAt = null;
  }

  /** A new graph: any kept circuit may be shown again. */
  forget(): void {
    this.looked = null;
    this.restoredAt = null;
  }

  /** The line said above a restored circuit (null: the circuit shown was run here). */
  get notice(): string | null {
    if (this.restoredAt === null) return null;
    const when = new Date(this.restoredAt).toLocaleString();
    return `Restored from your last run with these settings (finished ${when}); it was not run again.`;
  }
}

function keyOf(state: PageState): string | null {
  const { settings } = state;
  if (settings === null || settings.algorithm !== 'acdc') return null;
  return circuitKey(state.loaded, acdcSettings(settings), settings.task === CUSTOM_TASK ? state.custom : undefined);
}
