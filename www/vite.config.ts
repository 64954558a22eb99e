// Vite for Circuitscope's page: root www/, output www/dist/, the worker as an
// ES module (it imports the wasm-bindgen glue in src/pkg/), and the repository's
// models/ folder served and shipped at /models/ (models-plugin.ts), the lessons
// at /lessons/ (lessons-plugin.ts), and the offline service worker at /sw.js
// (offline-plugin.ts). Both servers send the headers that make the page
// cross-origin isolated, so the worker can run the threaded wasm build on the CPU
// (src/worker/wasm.ts). Two pages: the app (index.html) and an article that
// embeds it (embed-example.html).

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { lessonsPlugin } from './lessons-plugin.ts';
import { modelsPlugin } from './models-plugin.ts';
import { offlinePlugin } from './offline-plugin.ts';
import { ISOLATION_HEADERS } from './src/offline/isolation.ts';

const www = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));
/** CIRCUITSCOPE_MODELS_DIR points the page at another models folder (tests, experiments). */
const modelsDir = process.env.CIRCUITSCOPE_MODELS_DIR ?? `${repo}models`;
/** The lessons (www/lessons/) and, beside them, CIRCUITSCOPE_LESSONS_DIR: a teacher's own folder. */
const lessonsDir = `${www}lessons`;
const extraLessons = process.env.CIRCUITSCOPE_LESSONS_DIR;
/** The model a page opens with when its URL names none: package.json's `circuitscope.defaultModel`. */
const defaultModel: string =
  JSON.parse(readFileSync(`${repo}package.json`, 'utf8')).circuitscope?.defaultModel ?? 'induction-2l';

/**
 * Cross-origin isolation (src/offline/isolation.ts). Everything the page loads is same-origin;
 * CORP lets an isolated site embed it. A host that cannot send these headers still works, on one
 * thread (the backend badge says so), until the offline service worker adds them to the pages it
 * answers (src/offline/sw.ts). CIRCUITSCOPE_NO_ISOLATION=1 serves without them, as such a host
 * does (tests).
 */
const served =
  process.env.CIRCUITSCOPE_NO_ISOLATION === '1' ? {} : { ...ISOLATION_HEADERS, 'Cross-Origin-Resource-Policy': 'cross-origin' };

export default defineConfig({
  root: www,
  publicDir: false,
  plugins: [
    requireWasm(`${www}src/pkg/circuitscope.js`),
    requireWasm(`${www}src/pkg-cpu/circuitscope.js`),
    requireWasm(`${www}src/pkg-threads/circuitscope.js`),
    modelsPlugin(modelsDir),
    lessonsPlugin(lessonsDir, extraLessons),
    offlinePlugin(modelsDir, lessonsDir, extraLessons),
  ],
  define: { __DEFAULT_MODEL__: JSON.stringify(defaultModel) },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      // The element's script also under a stable name, for pages that embed it:
      // <script type="module" src="/circuit-playground.js">.
      input: {
        index: `${www}index.html`,
        embed: `${www}embed-example.html`,
        'circuit-playground': `${www}src/main.ts`,
        // The offline service worker, at the root so that its scope is the site.
        sw: `${www}src/offline/sw.ts`,
      },
      output: {
        entryFileNames: (chunk) =>
          chunk.name === 'circuit-playground' || chunk.name === 'sw' ? '[name].js' : 'assets/[name]-[hash].js',
      },
    },
  },
  server: { host: '127.0.0.1', headers: served },
  preview: { host: '127.0.0.1', headers: served },
});

/** Says plainly that the wasm module must be built first (a build fails; dev warns). */
function requireWasm(glue: string): Plugin {
  const message = `${glue} is missing: build the wasm module first (./scripts/build-wasm.sh)`;
  let building = false;
  return {
    name: 'circuitscope-require-wasm',
    configResolved(config) {
      building = config.command === 'build';
    },
    buildStart() {
      if (building && !existsSync(glue)) this.error(message);
    },
    configureServer(server) {
      if (!existsSync(glue)) server.config.logger.warn(message);
    },
  };
}
