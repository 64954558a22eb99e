// The shipped models as the page sees them: `/models/index.json`, written by
// the models plugin (www/models-plugin.ts) from every `models/<id>/config.json`.

import type { GroundTruth } from '../generated/wire';

/** One entry of `/models/index.json`. */
export interface ModelEntry {
  /** The folder name under `models/`; what a `load` request names. */
  id: string;
  /** `config.model_name`, else the card's title, else the id. */
  name: string;
  /** The parsed config.json (TransformerLens field names + `tasks`). */
  config: Record<string, unknown>;
  hasTokenizer: boolean;
  /** The first paragraph of card.md ("" when there is no card). */
  card: string;
  /** Size of model.safetensors in bytes, null when it is missing. */
  weightsBytes: number | null;
  /** remote.json: weights fetched only on request (GPT-2 small), not shipped. */
  remote: RemoteWeights | null;
  /** program.rasp's text for a model compiled from RASP (the editor's examples), else null. */
  program: string | null;
  /** ground_truth.json is there: the circuit the model was compiled to have. */
  hasGroundTruth: boolean;
}

export interface RemoteWeights {
  /** The default URL of the safetensors file (the user may change it). */
  url: string;
  /** Its expected size, for display (the server's Content-Length wins). */
  bytes: number | null;
}

/** A model whose weights are not shipped: loaded only on request, never from the picker alone. */
export function isOnRequest(entry: ModelEntry): boolean {
  return entry.weightsBytes === null && entry.remote !== null;
}

/** The model a page opens with when the URL names none (package.json's `circuitscope.defaultModel`). */
export const DEFAULT_MODEL: string = __DEFAULT_MODEL__;

/** The URL of a file of the models folder, e.g. `modelUrl('index.json')`. */
export function modelUrl(path: string): URL {
  return new URL(`${import.meta.env.BASE_URL}models/${path}`, document.baseURI);
}

export async function fetchModelIndex(): Promise<ModelEntry[]> {
  const url = modelUrl('index.json');
  const index: unknown = await (await get(url)).json();
  if (!Array.isArray(index)) throw new Error(`${url.pathname} is not a JSON array`);
  return index.filter(isModelEntry).map(withRemote);
}

/**
 * The model to open: the URL's if listed, else the default if listed, else the
 * first; never one whose weights are fetched only on request.
 */
export function pickModel(index: ModelEntry[], wanted: string | null): ModelEntry | undefined {
  const shipped = index.filter((m) => !isOnRequest(m));
  return (
    shipped.find((m) => m.id === wanted) ?? shipped.find((m) => m.id === DEFAULT_MODEL) ?? shipped[0]
  );
}

/** Fetches a model's config.json and (if it has one) tokenizer.json as text. */
export async function fetchModelTexts(
  entry: ModelEntry,
): Promise<{ config: string; tokenizer: string | undefined }> {
  const text = async (file: string): Promise<string> => (await get(modelUrl(`${entry.id}/${file}`))).text();
  const [config, tokenizer] = await Promise.all([
    text('config.json'),
    entry.hasTokenizer ? text('tokenizer.json') : Promise.resolve(undefined),
  ]);
  return { config, tokenizer };
}

/** The model's ground_truth.json (null when it has none). */
export async function fetchGroundTruth(entry: ModelEntry): Promise<GroundTruth | null> {
  if (!entry.hasGroundTruth) return null;
  const url = modelUrl(`${entry.id}/ground_truth.json`);
  const truth: unknown = await (await get(url)).json();
  if (!isGroundTruth(truth)) throw new Error(`${url.pathname} has no edge list`);
  return truth;
}

/** GETs a file of this page's own server; an HTTP error is thrown as `GET path: status`. */
async function get(url: URL): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url.pathname}: ${response.status} ${response.statusText}`.trim());
  return response;
}

function isGroundTruth(value: unknown): value is GroundTruth {
  return typeof value === 'object' && value !== null && 'edges' in value && Array.isArray(value.edges);
}

function isModelEntry(value: unknown): value is ModelEntry {
  return (
    typeof value === 'object' &&
    value !== null &&
    'id' in value &&
    typeof value.id === 'string' &&
    'config' in value &&
    typeof value.config === 'object'
  );
}

/** Index entries written before `remote` (or `program`) existed have none. */
function withRemote(entry: ModelEntry): ModelEntry {
  return { ...entry, remote: entry.remote ?? null, program: entry.program ?? null, hasGroundTruth: entry.hasGroundTruth ?? false };
}

/** What to do about a link to a model that is not shipped; `shown` is the one loaded instead. */
export function unknownModelHint(index: readonly ModelEntry[], shown: ModelEntry): string {
  return (
    `It is not among the shipped models (${index.map((m) => m.id).join(', ')}); showing ${shown.id} ` +
    `(the default is ${DEFAULT_MODEL}). Pick another model, or load your own weights.`
  );
}
