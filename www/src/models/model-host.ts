// What the playground lends the controllers that bring in models other than
// the shipped ones (remote-controller.ts, rasp-controller.ts): one way to
// change the model (model-loader.ts: on success it becomes the current one, on
// failure the old one stays), the page state to read, and the page's status,
// errors and worker.

import type { ModelEntry } from './model-index';
import type { CompileReport, GroundTruth, ModelInfo } from '../generated/wire';
import type { ErrorCode } from '../protocol';
import type { PageState } from '../state/page-state';
import type { StatusLine } from '../views/status-line';
import type { WorkerClient } from '../worker-client';

/** The model the worker holds, and where its weights came from. */
export interface Loaded {
  entry: ModelEntry;
  info: ModelInfo;
  /** A file name or host when the weights did not come with the page; undefined for the shipped ones. */
  source?: string;
  /** How to load it again in a fresh worker (default: the shipped model `entry`). */
  reload?: () => Promise<void>;
  /** Its known circuit, when it came with it (a compiled model; shipped ones fetch theirs). */
  truth?: GroundTruth;
  /** What the RASP compiler said of it (a program compiled in the page). */
  report?: CompileReport;
  /** The task to open it with, with that task's defaults (default: keep the current task). */
  task?: string;
}

export interface ModelHost {
  client(): WorkerClient;
  /** The device, the loaded model, and whether a load is in flight (`busy`). */
  readonly state: PageState;
  readonly status: StatusLine;
  /**
   * Runs a load: a `Loaded` becomes the current model, null changes nothing,
   * an error is shown (with `hint`'s text, if it gives one) and the old model stays.
   */
  changeModel(
    label: string,
    load: () => Promise<Loaded | null>,
    hint?: (error: unknown) => string | undefined,
  ): Promise<void>;
  clearErrors(): void;
  showError(code: ErrorCode, message: string, hint?: string): void;
  /** The controls may change (a download started or ended). */
  updateControls(): void;
  /** Runs ACDC on the current model and brings the graph into view (the RASP panel's "Run ACDC"). */
  runAcdc?(): void;
  /** A program was compiled (`ok`: it is the model now). */
  compiled?(source: string, ok: boolean): void;
}
