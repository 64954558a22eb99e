// Imports a pure module of www/src (TypeScript) into node: Vite bundles it in
// memory (no DOM, no wasm), and the bundle is imported from a data: URL.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../www/src');

/** @param {string} file a path under www/src, e.g. 'graph/geometry.ts' */
export async function importSrc(file) {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: { entry: join(SRC, file), formats: ['es'], fileName: 'module' },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((c) => c.type === 'chunk' && c.isEntry);
  if (!chunk || chunk.type !== 'chunk') throw new Error(`no bundle for ${file}`);
  return import(`data:text/javascript;base64,${Buffer.from(chunk.code).toString('base64')}`);
}
