// What the ACDC stage (acdc-stage.ts) asks of the page that holds it: the
// worker, the page state, and where its phase, status line and errors go.

import type { DrawnBox } from '../generated/wire';
import type { PageState } from '../state/page-state';
import type { Settings } from '../state/settings';
import type { WorkerClient } from '../worker-client';
import type { RunPhase } from './run-buttons';

export interface StageHost {
  client(): WorkerClient;
  /** The settings a run takes, and whether one may start (`ready`); the stage refreshes on each change. */
  readonly state: PageState;
  /** The link "Copy link" copies. */
  link(): string;
  phase(phase: RunPhase): void;
  /** What the status line should say of the run (null: nothing, the page's own line). */
  status(text: string | null): void;
  error(stage: 'run' | 'attention' | 'export' | 'judge', error: unknown): void;
  /** A change of settings the stage offers (the KL+EAP warning's way out). */
  changeSettings?(patch: Partial<Settings>): void;
  /** A head was clicked (or chosen with the keyboard) on the graph. */
  chosen?(box: DrawnBox): void;
  /** An edge was clicked on the graph. */
  edgeChosen?(edge: number): void;
  /** A run's events were drawn. */
  frame?(): void;
}
