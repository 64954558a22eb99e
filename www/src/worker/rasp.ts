// RASP in the worker: compile a program (one that compiles becomes the loaded
// model; one that does not is answered with where and why, and changes
// nothing), run a program and its model on one input, and read a shipped
// compiled model's residual layout off its ground_truth.json.

import { RequestError } from '../errors';
import type { CompileFailure, CompileReport, InputRun, LayoutGroup } from '../generated/wire';
import type {
  CompileRaspRequest,
  RaspCompiledResponse,
  RaspLayoutRequest,
  RaspRejectedResponse,
  RaspRunRequest,
} from '../protocol';
import { requireBackend } from './backend';
import { adopt } from './session';
import { wasm } from './wasm';

/** `Session.compileRasp(source).outcome` (the wasm API's own shape, not a generated type). */
type CompileOutcome = { ok: true; report: CompileReport } | { ok: false; error: CompileFailure };

/** Compiles; `replacing` runs just before a compiled model replaces the loaded one (it ends the run). */
export async function compileRasp(
  request: CompileRaspRequest,
  replacing: () => void,
): Promise<RaspCompiledResponse | RaspRejectedResponse> {
  await requireBackend();
  const compile = wasm().Session.compileRasp(request.source);
  const outcome: CompileOutcome = compile.outcome;
  const next = compile.session();
  compile.free();
  if (!outcome.ok) {
    next?.free();
    return { type: 'raspRejected', id: request.id, error: outcome.error };
  }
  if (next === undefined) throw new RequestError('load', 'the compiled model was not handed over');
  replacing();
  return { type: 'raspCompiled', id: request.id, info: adopt(next), report: outcome.report };
}

export async function runInput(request: RaspRunRequest): Promise<InputRun> {
  await requireBackend();
  return wasm().raspRun(request.source, request.input);
}

export async function layoutOf(request: RaspLayoutRequest): Promise<LayoutGroup[]> {
  await requireBackend();
  return wasm().raspLayout(request.groundTruth);
}
