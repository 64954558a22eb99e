// What the models and lessons plugins share: a Vite plugin that answers GET and HEAD under
// `<base><mount>/` in dev and preview from files on disk (with no-cache, so an edit shows at
// once, and a 404 of its own, so the dev server's HTML fallback never turns a missing file into
// a 200 page), and writes the same files into the build.

import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';

export type Next = (error?: unknown) => void;

/** Answers one request for `relative` (already decoded) under the mount. */
export type Handler = (relative: string, req: IncomingMessage, res: ServerResponse, next: Next) => void;

export function servedFolder(name: string, mount: string, handle: Handler, write: (outDir: string) => Promise<void>): Plugin {
  let base = '/';
  const middleware = (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const prefix = `${base}${mount}/`;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith(prefix) || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    let relative: string;
    try {
      relative = decodeURIComponent(path.slice(prefix.length));
    } catch {
      return send(res, 400, 'bad path');
    }
    res.setHeader('Cache-Control', 'no-cache');
    handle(relative, req, res, next);
  };
  return {
    name,
    configResolved(config) {
      base = config.base;
    },
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
    // Build only (dev and preview serve the folder as it is on disk).
    async writeBundle(options) {
      if (options.dir) await write(options.dir);
    },
  };
}

export function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', method = 'GET'): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(method === 'HEAD' ? undefined : body);
}

/** Streams `file` (a regular file) with its type and length. */
export function sendFile(req: IncomingMessage, res: ServerResponse, next: Next, file: string, type: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', statSync(file).size);
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', (error) => next(error))
    .pipe(res);
}
