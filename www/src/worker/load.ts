// A model into the worker: a shipped one fetched from `models/<id>/`
// (config.json required, tokenizer.json optional, model.safetensors streamed
// with progress), or files the page hands over. Either becomes the loaded
// Session only once it has loaded; a failure leaves the previous one.

import { messageOf, RequestError } from '../errors';
import type { ModelInfo } from '../generated/wire';
import type { LoadFilesRequest, LoadRequest } from '../protocol';
import { readBody, type ProgressListener } from '../read-body';
import { requireBackend } from './backend';
import { checkDeviceFits } from './gpu-limits';
import { adopt } from './session';
import { wasm } from './wasm';

/** A shipped model's files, their fetches begun. */
interface Fetches {
  model: string;
  config: Promise<Response>;
  tokenizer: Promise<Response>;
  weights: Promise<Response>;
}

/** Fetches begun by `prefetch` (while the module compiled) that no `load` has taken yet. */
let early: Fetches | null = null;

/** `prefetch`: starts fetching `model`'s files; the next `load` of it takes them over. */
export function prefetch(model: string): void {
  if (!validId(model) || early?.model === model) return;
  drop(early);
  early = begin(model);
  // A failure is reported by the `load` that awaits it, not as an unhandled rejection here.
  for (const response of [early.config, early.tokenizer, early.weights]) response.catch(() => undefined);
}

/** `load`: fetches the model's files (or takes over those `prefetch` began); `onProgress` hears the weights stream in. */
export async function loadFromServer(request: LoadRequest, onProgress: ProgressListener): Promise<ModelInfo> {
  await requireBackend();
  if (!validId(request.model)) {
    throw new RequestError('bad_request', `not a model id: ${JSON.stringify(request.model)}`);
  }
  const fetches = early?.model === request.model ? early : begin(request.model);
  if (fetches !== early) drop(early);
  early = null;
  let weights: Uint8Array;
  let config: string | null;
  let tokenizer: string | null;
  try {
    config = await textOf(await fetches.config, true);
    tokenizer = await textOf(await fetches.tokenizer, false);
    weights = await readBody(ok(await fetches.weights), { onProgress });
  } catch (error) {
    drop(fetches);
    throw error;
  }
  await checkDeviceFits(weights);
  return adopt(wasm().Session.load(config ?? '', weights, tokenizer));
}

function validId(model: string): boolean {
  return /^[\w.-]+$/.test(model);
}

function begin(model: string): Fetches {
  const base = new URL(`${import.meta.env.BASE_URL}models/${model}/`, self.location.href);
  const get = (name: string) => fetchOrThrow(new URL(name, base));
  return { model, config: get('config.json'), tokenizer: get('tokenizer.json'), weights: get('model.safetensors') };
}

/** Abandons fetches nobody will read. */
function drop(fetches: Fetches | null): void {
  if (fetches === null) return;
  for (const response of [fetches.config, fetches.tokenizer, fetches.weights]) {
    response.then((r) => r.body?.cancel()).catch(() => undefined);
  }
}

/** `loadFiles`: the page's files (the weights buffer was transferred). */
export async function loadFromFiles(request: LoadFilesRequest): Promise<ModelInfo> {
  await requireBackend();
  const weights = new Uint8Array(request.weights);
  await checkDeviceFits(weights);
  return adopt(wasm().Session.load(request.config, weights, request.tokenizer ?? null));
}

/** A text file's body; a 404 of an optional file is `null`. */
async function textOf(response: Response, required: boolean): Promise<string | null> {
  if (response.status === 404 && !required) return null;
  return ok(response).text();
}

function ok(response: Response): Response {
  if (!response.ok) throw statusError(new URL(response.url), response);
  return response;
}

async function fetchOrThrow(url: URL): Promise<Response> {
  try {
    return await fetch(url);
  } catch (error) {
    throw new RequestError('fetch', `GET ${url.pathname}: ${messageOf(error)}`);
  }
}

function statusError(url: URL, response: Response): RequestError {
  return new RequestError('fetch', `GET ${url.pathname}: ${response.status} ${response.statusText}`.trim());
}
