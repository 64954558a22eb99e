// A model into the worker: a shipped one fetched from `models/<id>/`
// (config.json required, tokenizer.json optional, model.safetensors streamed
// with progress), or files the page hands over. Either becomes the loaded
// Session only once it has loaded; a failure leaves the previous one.

import { messageOf, RequestError } from '../errors';
import type { ModelInfo } from '../generated/wire';
import { Session } from '../pkg/circuitscope.js';
import type { LoadFilesRequest, LoadRequest } from '../protocol';
import { readBody, type ProgressListener } from '../read-body';
import { requireBackend } from './backend';
import { checkDeviceFits } from './gpu-limits';
import { adopt } from './session';

/** `load`: fetches the model's files; `onProgress` hears the weights stream in. */
export async function loadFromServer(request: LoadRequest, onProgress: ProgressListener): Promise<ModelInfo> {
  await requireBackend();
  if (!/^[\w.-]+$/.test(request.model)) {
    throw new RequestError('bad_request', `not a model id: ${JSON.stringify(request.model)}`);
  }
  const base = new URL(`${import.meta.env.BASE_URL}models/${request.model}/`, self.location.href);
  const config = await fetchText(new URL('config.json', base), true);
  const tokenizer = await fetchText(new URL('tokenizer.json', base), false);
  const weights = await readBody(await getOk(new URL('model.safetensors', base)), { onProgress });
  await checkDeviceFits(weights);
  return adopt(Session.load(config ?? '', weights, tokenizer));
}

/** `loadFiles`: the page's files (the weights buffer was transferred). */
export async function loadFromFiles(request: LoadFilesRequest): Promise<ModelInfo> {
  await requireBackend();
  const weights = new Uint8Array(request.weights);
  await checkDeviceFits(weights);
  return adopt(Session.load(request.config, weights, request.tokenizer ?? null));
}

/** GETs a text file; a 404 of an optional file is `null`. */
async function fetchText(url: URL, required: boolean): Promise<string | null> {
  const response = await get(url);
  if (response.status === 404 && !required) return null;
  if (!response.ok) throw statusError(url, response);
  return response.text();
}

async function getOk(url: URL): Promise<Response> {
  const response = await get(url);
  if (!response.ok) throw statusError(url, response);
  return response;
}

async function get(url: URL): Promise<Response> {
  try {
    return await fetch(url);
  } catch (error) {
    throw new RequestError('fetch', `GET ${url.pathname}: ${messageOf(error)}`);
  }
}

function statusError(url: URL, response: Response): RequestError {
  return new RequestError('fetch', `GET ${url.pathname}: ${response.status} ${response.statusText}`.trim());
}
