// A Vite plugin that finishes the offline service worker (src/offline/sw.ts,
// built as `sw.js` at the site's root) with what it caches on install: the
// pages and every file of the bundle (scripts, styles, the wasm module), the
// models index and the shipped models' folders, the lessons index and the
// lessons. Models whose weights are fetched on request (a `remote.json`, as
// GPT-2's) are left out and never answered by the worker. The list's version
// hashes the files' contents, so a rebuild with a changed model or lesson
// installs a fresh cache.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { lessonFiles } from './lessons-plugin.ts';
import { modelIndex } from './models-plugin.ts';

const PLACEHOLDER = '__CIRCUITSCOPE_PRECACHE__';

export function offlinePlugin(modelsDir: string, lessonsDir: string, extraLessons?: string): Plugin {
  return {
    name: 'circuitscope-offline',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const sw = Object.values(bundle).find((file) => file.type === 'chunk' && file.fileName === 'sw.js');
      if (sw === undefined || sw.type !== 'chunk') return;
      const hash = createHash('sha256');
      const urls = new Set<string>(['./', 'index.html']);
      for (const file of Object.values(bundle)) {
        if (file.fileName === 'sw.js' || file.fileName.endsWith('.map')) continue;
        urls.add(file.fileName);
        hash.update(file.fileName);
        hash.update(file.type === 'chunk' ? file.code : file.source);
      }
      const bypass: string[] = [];
      urls.add('models/index.json');
      for (const entry of modelIndex(modelsDir)) {
        if (entry.remote !== null && entry.weightsBytes === null) {
          bypass.push(`models/${entry.id}/`);
          continue;
        }
        for (const d of readdirSync(join(modelsDir, entry.id), { withFileTypes: true })) {
          const { name } = d;
          if (name.startsWith('.') || !d.isFile()) continue;
          const path = join(modelsDir, entry.id, name);
          urls.add(`models/${entry.id}/${name}`);
          hash.update(name);
          hash.update(readFileSync(path));
        }
      }
      urls.add('lessons/index.json');
      for (const [name, path] of lessonFiles(lessonsDir, extraLessons)) {
        urls.add(`lessons/${name}`);
        hash.update(name);
        hash.update(readFileSync(path));
      }
      const precache = { version: hash.digest('hex').slice(0, 16), urls: [...urls].sort(), bypass };
      if (!sw.code.includes(PLACEHOLDER)) this.error(`sw.js lost its ${PLACEHOLDER} placeholder`);
      sw.code = sw.code.replace(PLACEHOLDER, JSON.stringify(precache));
    },
  };
}
