// A Vite plugin that puts the repository's `models/` folder at `<base>models/`:
// served from disk by `vite` (dev) and `vite preview`, copied into the build
// output by `vite build`, and indexed as `models/index.json` (see ModelEntry in
// src/models/model-index.ts) from every `models/<id>/config.json`. A folder with a
// `remote.json` ({url, bytes}) instead of model.safetensors is a model whose
// weights the page fetches only when the user asks (GPT-2 small). A compiled
// model's `program.rasp` comes inline (the RASP editor's examples) and its
// `ground_truth.json` is flagged (the page overlays it on a found circuit).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';
import { type Handler, send, sendFile, servedFolder } from './served-folder';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.rasp': 'text/plain; charset=utf-8',
  '.safetensors': 'application/octet-stream',
};

/** One entry of `models/index.json`; mirrored by ModelEntry in src/models/model-index.ts. */
interface IndexEntry {
  id: string;
  name: string;
  config: unknown;
  hasTokenizer: boolean;
  card: string;
  weightsBytes: number | null;
  remote: { url: string; bytes: number | null } | null;
  /** program.rasp's text, for a model compiled from RASP (null otherwise). */
  program: string | null;
  hasGroundTruth: boolean;
}

/** @param modelsDir absolute path of the folder holding `<id>/config.json`. */
export function modelsPlugin(modelsDir: string): Plugin {
  return servedFolder('circuitscope-models', 'models', serveModels(modelsDir), async (outDir) => {
    const target = join(outDir, 'models');
    await mkdir(target, { recursive: true });
    for (const entry of modelIndex(modelsDir)) {
      await cp(join(modelsDir, entry.id), join(target, entry.id), {
        recursive: true,
        filter: (source) => !source.split(sep).pop()?.startsWith('.'),
      });
    }
    await writeFile(join(target, 'index.json'), JSON.stringify(modelIndex(modelsDir), null, 2));
  });
}

/** Every `<id>/config.json` under `modelsDir`, sorted by id. */
export function modelIndex(modelsDir: string): IndexEntry[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && existsSync(join(modelsDir, d.name, 'config.json')))
    .map((d) => indexEntry(join(modelsDir, d.name), d.name))
    .sort((a, b) => a.id.localeCompare(b.id));
}

function indexEntry(dir: string, id: string): IndexEntry {
  const config: unknown = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const cardPath = join(dir, 'card.md');
  const cardText = existsSync(cardPath) ? readFileSync(cardPath, 'utf8') : '';
  const weightsPath = join(dir, 'model.safetensors');
  const modelName =
    typeof config === 'object' && config !== null && 'model_name' in config && typeof config.model_name === 'string'
      ? config.model_name
      : undefined;
  return {
    id,
    name: modelName ?? cardTitle(cardText) ?? id,
    config,
    hasTokenizer: existsSync(join(dir, 'tokenizer.json')),
    card: firstParagraph(cardText),
    weightsBytes: existsSync(weightsPath) ? statSync(weightsPath).size : null,
    remote: remoteWeights(join(dir, 'remote.json')),
    program: existsSync(join(dir, 'program.rasp')) ? readFileSync(join(dir, 'program.rasp'), 'utf8') : null,
    hasGroundTruth: existsSync(join(dir, 'ground_truth.json')),
  };
}

/** `remote.json`: where the weights are fetched from on request (null when absent or malformed). */
function remoteWeights(path: string): IndexEntry['remote'] {
  if (!existsSync(path)) return null;
  const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof value !== 'object' || value === null || !('url' in value) || typeof value.url !== 'string') {
    throw new Error(`${path}: expected {"url": "https://…", "bytes": n}`);
  }
  const bytes = 'bytes' in value && typeof value.bytes === 'number' ? value.bytes : null;
  return { url: value.url, bytes };
}

function cardTitle(markdown: string): string | undefined {
  return /^#\s+(.+)$/m.exec(markdown)?.[1]?.trim();
}

/** The first block of text that is not a heading, joined into one line. */
export function firstParagraph(markdown: string): string {
  const blocks = markdown.split(/\r?\n\s*\r?\n/);
  for (const block of blocks) {
    const lines = block
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && !line.startsWith('<!--'));
    if (lines.length > 0) return lines.join(' ');
  }
  return '';
}

/** Connect middleware: `<prefix>index.json` and the files under `modelsDir`. */
function serveModels(modelsDir: string): Handler {
  const root = resolve(modelsDir);
  return (relative, req, res, next) => {
    if (relative === 'index.json') {
      return send(res, 200, JSON.stringify(modelIndex(modelsDir), null, 2), CONTENT_TYPES['.json'], req.method);
    }
    const file = resolve(root, relative);
    const hidden = relative.split('/').some((part) => part.startsWith('.'));
    if (!file.startsWith(root + sep) || hidden || !existsSync(file) || !statSync(file).isFile()) {
      return send(res, 404, `not found: ${relative}`);
    }
    sendFile(req, res, next, file, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
  };
}
