// The rows a run, an attribution or a judge reads: the task's (generated from
// the settings' task, rows and seed), or a person's own (`CustomTask`, read by
// the model's tokenizer for the settings' metric). Called under the lock.

import type { CustomTask, RunSettings, TaskData } from '../generated/wire';
import type { Session } from '../pkg/circuitscope.js';
import type { AcdcData } from '../protocol';

export interface RunData {
  /** What the wasm runs take as `data`: undefined for the task's own rows. */
  data: AcdcData | undefined;
  /** The rows as token ids and text, for the page. */
  view: TaskData;
}

export function runData(session: Session, settings: RunSettings, custom: CustomTask | undefined): RunData {
  if (custom === undefined) return { data: undefined, view: session.taskData(settings) };
  return customData(session, custom, settings.metric ?? 'kl');
}

/** A person's own task as data.json and as text; throws an Error that names the row. */
export function customData(session: Session, custom: CustomTask, metric: string): { data: AcdcData; view: TaskData } {
  const out: { data: AcdcData; view: TaskData } = session.customData(custom, metric);
  return out;
}
