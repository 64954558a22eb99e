// A Vite plugin that puts the lessons at `<base>lessons/`: every `*.md` of
// www/lessons/ (and of CIRCUITSCOPE_LESSONS_DIR, a teacher's own folder) is
// served by `vite` (dev) and `vite preview` as it is on disk, copied into the
// build output by `vite build`, and listed in `lessons/index.json` (id, title,
// level, minutes, order, summary, requires, and any front-matter mistakes) —
// so a lesson dropped into the folder is listed on the next page load.
// README.md, FORMAT.md and other all-capital names are documentation, not
// lessons: served, never listed.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';
import { type Handler, send, sendFile, servedFolder } from './served-folder';
import type { LessonEntry } from './src/lessons/format.ts';
import { parseFrontMatter } from './src/lessons/front-matter.ts';

/** Files of a lessons folder: `name.md` → absolute path. */
function markdownFiles(dirs: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (d.isFile() && d.name.endsWith('.md') && !d.name.startsWith('.') && !files.has(d.name)) files.set(d.name, join(dir, d.name));
    }
  }
  return files;
}

/** A documentation file beside the lessons (FORMAT.md, README.md). */
function isDoc(name: string): boolean {
  return /^[A-Z0-9_-]+\.md$/.test(name);
}

/** `lessons/index.json`: one entry per lesson file, in order. */
export function lessonIndex(dirs: readonly string[]): LessonEntry[] {
  const entries: LessonEntry[] = [];
  for (const [name, path] of markdownFiles(dirs)) {
    if (isDoc(name)) continue;
    const id = name.slice(0, -3);
    const { meta, errors } = parseFrontMatter(readFileSync(path, 'utf8'), id);
    entries.push({ ...meta, file: name, errors });
  }
  return entries.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

/**
 * @param lessonsDir www/lessons (shipped)
 * @param extraDir a teacher's folder (CIRCUITSCOPE_LESSONS_DIR), served beside it
 */
export function lessonsPlugin(lessonsDir: string, extraDir?: string): Plugin {
  const dirs = [lessonsDir, ...(extraDir ? [resolve(extraDir)] : [])];
  return servedFolder('circuitscope-lessons', 'lessons', serveLessons(dirs), async (outDir) => {
    const target = join(outDir, 'lessons');
    await mkdir(target, { recursive: true });
    for (const [name, path] of markdownFiles(dirs)) await copyFile(path, join(target, name));
    await writeFile(join(target, 'index.json'), JSON.stringify(lessonIndex(dirs), null, 2));
  });
}

/** Every lesson file's name and path (for the offline plugin's precache list). */
export function lessonFiles(lessonsDir: string, extraDir?: string): Map<string, string> {
  return markdownFiles([lessonsDir, ...(extraDir ? [resolve(extraDir)] : [])]);
}

function serveLessons(dirs: readonly string[]): Handler {
  return (name, req, res, next) => {
    if (name === 'index.json') return send(res, 200, JSON.stringify(lessonIndex(dirs), null, 2), 'application/json; charset=utf-8', req.method);
    const file = markdownFiles(dirs).get(name);
    if (file === undefined || name.includes('/') || name.includes(sep) || !statSync(file).isFile()) {
      return send(res, 404, `not found: ${name}`);
    }
    sendFile(req, res, next, file, 'text/markdown; charset=utf-8');
  };
}
