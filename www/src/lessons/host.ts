// What the playground lends a lesson: its public state (state/page-state.ts)
// and the things a student could do by hand — load a model, change the
// settings, type a prompt, run, pause and step ACDC, open a head or an edge,
// compile a RASP program — plus the graph's highlight for feedback. The
// lesson never reaches into the playground's views (playground.ts builds
// this object from its public methods).

import type { Circuit, DrawnBox, GraphInfo, GroundTruth, Prediction } from '../generated/wire';
import type { ModelEntry } from '../models/model-index';
import type { Speed } from '../protocol';
import type { PageState } from '../state/page-state';
import type { RunState } from '../state/run-state';
import type { Settings } from '../state/settings';
import type { RunPhase } from '../views/run-buttons';
import type { WorkerClient } from '../worker-client';

/** What a student did on the page that a lesson may wait for. */
export type PageEvent =
  | { type: 'phase'; phase: RunPhase }
  | { type: 'frame' }
  | { type: 'prediction'; prompt: string; prediction: Prediction }
  | { type: 'head'; box: DrawnBox }
  | { type: 'edge'; edge: number }
  | { type: 'compiled'; source: string; ok: boolean };

export interface LessonHost {
  readonly state: PageState;
  client(): WorkerClient;
  /** The loaded model's graph (null while it loads). */
  graph(): GraphInfo | null;
  /** The shipped models (/models/index.json), once read. */
  models(): readonly ModelEntry[];
  /** Loads a shipped model (nothing when it is the loaded one). */
  loadModel(id: string): Promise<void>;
  /** Changes settings as the form does (a new task brings its defaults first). */
  changeSettings(patch: Partial<Settings>): void;
  /** The algorithms the settings form offers. */
  algorithms(): string[];
  /**
   * Types `prompt` into the prompt panel (`predict`: and presses Predict); a
   * clicked head and the inspector then read it. null: they read the first
   * clean row again.
   */
  setPrompt(prompt: string | null, predict: boolean): Promise<void>;
  /** The run on the stage. */
  run(): { phase: RunPhase; state: RunState | null; circuit: Circuit | null };
  startRun(paused: boolean): void;
  stepRun(): void;
  pauseRun(): void;
  resumeRun(): void;
  resetRun(): void;
  setSpeed(speed: Speed): void;
  /** Opens a head (`A1.0`) in the inspector, as a click on it does. */
  openHead(layer: number, head: number): void;
  /** Opens an edge (graph id) in the inspector. */
  openEdge(edge: number): void;
  /** Opens the logit lens on a prompt (or on the first clean row). */
  openLens(prompt: string | null): void;
  /** Marks heads (`head:L:H` keys) and edges (graph ids) on the graph; empty lists clear it. */
  highlight(boxes: string[], edges: number[]): void;
  /** Puts a program in the RASP editor (and opens it); `compile` compiles it too. */
  setProgram(source: string, compile: boolean): Promise<void>;
  /** The loaded model's ground truth (compiled models), if any. */
  truth(): GroundTruth | null;
  /** Calls `listener` for each page event until the returned function is called. */
  listen(listener: (event: PageEvent) => void): () => void;
  /** Scrolls a part of the playground into view and focuses its first control (a lesson's "go there"). */
  reveal(what: 'graph' | 'prompt' | 'inspector' | 'rasp'): void;
}
