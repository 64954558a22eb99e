// The last finished ACDC circuit, kept in localStorage so that a reload or a
// crashed worker shows it again instead of losing it (or silently running it
// again). It is kept under a key made of everything that decides the circuit:
// the model (its id and the size of its weights), every run setting and a
// person's own rows; a circuit is shown again only for the same key, so a
// changed setting never shows a stale one. Models without a stable identity
// (weights picked from disk, fetched on request, compiled in the page) are
// not kept. One slot: the last run finished, whatever it was.

import type { AcdcEvent, AcdcStatus, CustomTask, RunSettings } from '../generated/wire';
import type { Loaded } from '../models/model-host';

const STORAGE_KEY = 'circuitscope.lastCircuit';

/** A finished run as the page received it: enough to rebuild its RunState and export its circuit. */
export interface FinishedRun {
  /** The full model's status, from `started`. */
  begun: AcdcStatus;
  events: AcdcEvent[];
  /** The status at `done`. */
  status: AcdcStatus;
  /** circuit.json, as the worker made it. */
  circuit: unknown;
  wallTime: number;
}

interface Stored extends FinishedRun {
  key: string;
  /** When it finished (ISO 8601), said when it is shown again. */
  finishedAt: string;
}

/** What a circuit is kept under; null when the model has no stable identity. */
export function circuitKey(loaded: Loaded | null, settings: RunSettings, custom?: CustomTask): string | null {
  if (loaded === null || loaded.source !== undefined || loaded.reload !== undefined || loaded.entry.weightsBytes === null) return null;
  return JSON.stringify({ model: loaded.entry.id, weightsBytes: loaded.entry.weightsBytes, settings, custom: custom ?? null });
}

/** Keeps `run` as the last finished circuit; a full storage (a huge graph) keeps none. */
export function keepCircuit(key: string, run: FinishedRun): void {
  const stored: Stored = { ...run, key, finishedAt: new Date().toISOString() };
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  } catch {
    forgetCircuit();
  }
}

/** The last finished circuit if it was found with `key`, with when it finished. */
export function keptCircuit(key: string): (FinishedRun & { finishedAt: string }) | null {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
    if (!isStored(stored) || stored.key !== key) return null;
    return stored;
  } catch {
    return null;
  }
}

function forgetCircuit(): void {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage refused (a private window): nothing was kept.
  }
}

function isStored(value: unknown): value is Stored {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Stored>;
  return typeof v.key === 'string' && Array.isArray(v.events) && typeof v.begun === 'object' && typeof v.status === 'object' && typeof v.finishedAt === 'string';
}
