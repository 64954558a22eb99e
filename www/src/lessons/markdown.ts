// A lesson's Markdown as DOM (marked), with raw HTML shown as text (a lesson
// file is content, never code) and `{{measure}}` placeholders turned into
// slots the page fills with the measure's value when it is computed.

import { Marked, type Tokens } from 'marked';
import { el } from '../dom';
import { PLACEHOLDER } from './validate';

const marked = new Marked({
  gfm: true,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link({ href, text }: Tokens.Link): string {
      const safe = /^(https?:|#|\/|\.\/)/i.test(href) ? href : '#';
      const external = /^https?:/i.test(safe) ? ' target="_blank" rel="noopener noreferrer"' : '';
      return `<a href="${escapeHtml(safe)}"${external}>${escapeHtml(text)}</a>`;
    },
  },
});

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A placeholder's slot in the rendered text. */
export interface Slot {
  source: string;
  element: HTMLElement;
}

/** Renders `markdown` into a new element; `slots` get the placeholders in order. */
export function renderMarkdown(markdown: string, className = 'md'): { element: HTMLElement; slots: Slot[] } {
  const sources: string[] = [];
  const marked_ = markdown.replace(PLACEHOLDER, (_, source: string) => {
    sources.push(source.trim());
    return `@@slot${sources.length - 1}@@`;
  });
  const html = marked.parse(marked_, { async: false });
  const element = el('div', { class: className });
  element.innerHTML = html.replace(/@@slot(\d+)@@/g, (_, i: string) => `<span class="measure-slot" data-slot="${i}">…</span>`);
  const slots = [...element.querySelectorAll<HTMLElement>('.measure-slot')].map((node) => ({
    source: sources[Number(node.dataset.slot)],
    element: node,
  }));
  return { element, slots };
}

/** Inline Markdown (a question's prompt) as DOM. */
export function renderInline(markdown: string): HTMLElement {
  const element = el('span', { class: 'md-inline' });
  element.innerHTML = marked.parseInline(markdown.replace(PLACEHOLDER, '$1'), { async: false });
  return element;
}
