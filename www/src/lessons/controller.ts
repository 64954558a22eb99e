// The lessons on the page: the Lessons menu (from /lessons/index.json, with
// each lesson's level, time and the student's progress), `?lesson=<id>` in
// the URL, a lesson file opened from disk (to try one before dropping it into
// the lessons folder), and the open lesson's panel beside the playground. A
// lesson that needs what the page does not offer yet (its `requires:`) is not
// listed. Each lesson is parsed and checked against the page before it opens.

import { el } from '../dom';
import { messageOf } from '../errors';
import type { LessonEntry } from './format';
import { isLessonId } from './front-matter';
import type { LessonHost } from './host';
import { LessonPanel } from './panel';
import { parseLesson } from './parse';
import { progressSummary } from './progress';
import { waitFor } from './setup';
import { validateLesson, type PageCatalog } from './validate';

const PARAM = 'lesson';

export function lessonsUrl(path: string): URL {
  return new URL(`${import.meta.env.BASE_URL}lessons/${path}`, document.baseURI);
}

export async function fetchLessonIndex(): Promise<LessonEntry[]> {
  const response = await fetch(lessonsUrl('index.json'));
  if (!response.ok) throw new Error(`GET /lessons/index.json: ${response.status}`);
  const index: unknown = await response.json();
  return Array.isArray(index) ? index.filter((e): e is LessonEntry => typeof e === 'object' && e !== null && 'id' in e && 'file' in e) : [];
}

export class LessonsController {
  readonly menu: HTMLDetailsElement;
  /** Where the open lesson goes (beside the playground). */
  readonly slot = el('div', { class: 'lesson-slot', 'data-testid': 'lesson-slot', hidden: true });
  private readonly list = el('ul', { class: 'lessons-list', 'data-testid': 'lessons-list' });
  private readonly fileInput = el('input', { type: 'file', accept: '.md,text/markdown', id: 'lesson-file', 'data-testid': 'lesson-file', class: 'visually-hidden' });
  private index: LessonEntry[] = [];
  private panel: LessonPanel | null = null;
  private opening = 0;

  constructor(
    private readonly host: LessonHost,
    private readonly urlState: boolean,
  ) {
    this.menu = el(
      'details',
      { class: 'lessons-menu', 'data-testid': 'lessons-menu' },
      el('summary', { 'data-testid': 'lessons-button' }, 'Lessons'),
      el(
        'div',
        { class: 'lessons-popup' },
        this.list,
        el('p', { class: 'lessons-file' }, el('label', { for: 'lesson-file', class: 'button' }, 'Open a lesson file…'), this.fileInput),
      ),
    );
    this.menu.addEventListener('toggle', () => {
      if (this.menu.open) this.renderList();
    });
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      if (file) void this.openFile(file);
      this.fileInput.value = '';
    });
  }

  /** Reads the index; opens `?lesson=` once the page knows its models and tasks. */
  async start(): Promise<void> {
    try {
      this.index = await fetchLessonIndex();
    } catch (error) {
      this.list.replaceChildren(el('li', {}, `The lessons could not be listed: ${messageOf(error)}`));
    }
    this.renderList();
    const wanted = this.urlState ? new URLSearchParams(location.search).get(PARAM) : null;
    if (wanted) await this.open(wanted);
  }

  /** Entries the page can run now (their `requires:` met), in order. */
  visible(): LessonEntry[] {
    const offered = this.host.algorithms();
    return this.index
      .filter((e) => e.requires.every((a) => offered.includes(a)))
      .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  }

  private renderList(): void {
    const progress = progressSummary();
    const entries = this.visible();
    this.list.replaceChildren(
      ...entries.map((e) => {
        const p = progress[e.id];
        const state = p?.done ? ' · done' : p ? ` · step ${p.step + 1}` : '';
        const button = el(
          'button',
          { type: 'button', class: 'lesson-link', 'data-lesson': e.id },
          el('span', { class: 'lesson-link-title' }, e.title),
          el('span', { class: 'lesson-link-meta' }, `${e.level} · ${e.minutes} min${state}${e.errors.length ? ' · has mistakes' : ''}`),
        );
        button.addEventListener('click', () => {
          this.menu.open = false;
          void this.open(e.id);
        });
        return el('li', {}, button);
      }),
    );
    if (entries.length === 0 && this.index.length === 0) this.list.append(el('li', {}, 'No lessons are listed.'));
  }

  async open(id: string): Promise<void> {
    const opening = ++this.opening;
    const entry = this.index.find((e) => e.id === id);
    if (entry === undefined) {
      this.showMessage(id, `There is no lesson "${id}" (listed: ${this.visible().map((e) => e.id).join(', ') || 'none'}).`);
      return;
    }
    const missing = entry.requires.filter((a) => !this.host.algorithms().includes(a));
    if (missing.length > 0) {
      this.showMessage(entry.title, `This lesson needs the page to offer ${missing.join(', ')} in its algorithm picker, which it does not yet.`);
      return;
    }
    try {
      const response = await fetch(lessonsUrl(entry.file));
      if (!response.ok) throw new Error(`GET /lessons/${entry.file}: ${response.status}`);
      const text = await response.text();
      if (opening === this.opening) await this.show(entry.file, id, text, opening);
    } catch (error) {
      if (opening === this.opening) this.showMessage(entry.title, `The lesson could not be loaded: ${messageOf(error)}`);
    }
  }

  /** A lesson from disk: its file name (without .md) is its id. */
  async openFile(file: File): Promise<void> {
    const opening = ++this.opening;
    const id = file.name.replace(/\.md$/i, '').toLowerCase();
    const text = await file.text();
    if (opening === this.opening) await this.show(file.name, isLessonId(id) ? id : 'lesson', text, opening);
  }

  close(): void {
    this.panel?.close();
    this.panel = null;
    this.slot.replaceChildren();
    this.slot.hidden = true;
    this.host.highlight([], []);
    this.setUrl(null);
  }

  private async show(file: string, id: string, text: string, opening: number): Promise<void> {
    // Names are checked against the page's models and tasks: wait for them.
    const known = await waitFor(this.host, () => this.host.models().length > 0 && this.host.state.tasks.length > 0, () => opening !== this.opening);
    if (!known) return;
    const parsed = parseLesson(text, id);
    const errors = [...parsed.errors, ...validateLesson(parsed.lesson, this.catalog())].sort((a, b) => a.line - b.line);
    this.panel?.close();
    this.panel = new LessonPanel(this.host, file, parsed.lesson, errors, () => this.close());
    this.slot.replaceChildren(this.panel.element);
    this.slot.hidden = false;
    this.panel.focusStep();
    this.setUrl(this.index.some((e) => e.id === id) ? id : null);
  }

  private catalog(): PageCatalog {
    return {
      models: new Map(this.host.models().map((m) => [m.id, { config: m.config, program: m.program !== null }])),
      tasks: this.host.state.tasks.map((t) => t.name),
      algorithms: this.host.algorithms(),
      current: this.host.state.loaded?.entry.id ?? null,
    };
  }

  private showMessage(title: string, message: string): void {
    this.panel?.close();
    this.panel = null;
    const close = el('button', { type: 'button', class: 'icon lesson-close', 'aria-label': 'Close' }, '×');
    close.addEventListener('click', () => this.close());
    this.slot.replaceChildren(
      el('aside', { class: 'lesson-panel', 'data-testid': 'lesson', 'data-state': 'unavailable' }, el('header', { class: 'lesson-header' }, el('h2', {}, title), close), el('p', { role: 'alert', 'data-testid': 'lesson-message' }, message)),
    );
    this.slot.hidden = false;
  }

  private setUrl(id: string | null): void {
    if (!this.urlState) return;
    const url = new URL(location.href);
    if (id === null) url.searchParams.delete(PARAM);
    else url.searchParams.set(PARAM, id);
    history.replaceState(history.state, '', url);
  }
}
