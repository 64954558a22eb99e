// The badge that names the burn device the model runs on, and why.

import { el } from '../dom';
import type { Backend } from '../protocol';

const LABEL: Record<Backend, string> = { webgpu: 'WebGPU', cpu: 'CPU' };

export class BackendBadge {
  private readonly name = el('span', { class: 'badge-name' }, '…');
  private readonly reason = el('span', { class: 'badge-reason' });
  readonly element = el(
    'span',
    { class: 'badge', 'data-testid': 'backend', 'data-backend': 'pending', title: 'Choosing a backend…' },
    this.name,
    this.reason,
  );

  /**
   * Shows the chosen backend; the reason is shown when it is not WebGPU (a fallback or a request).
   * On the CPU the name says how many threads compute, and the title why one only
   * (`oneThreadWhy`: an embed in a page that is not cross-origin isolated).
   */
  show(backend: Backend, reason: string, threads = 1, oneThreadWhy = ''): void {
    this.element.dataset.backend = backend;
    this.element.dataset.threads = String(threads);
    this.name.textContent = backend === 'cpu' ? `CPU · ${threads} thread${threads === 1 ? '' : 's'}` : LABEL[backend];
    this.reason.textContent = backend === 'cpu' && reason ? reason : '';
    const about = backend === 'cpu' && oneThreadWhy ? ` (${oneThreadWhy})` : '';
    this.element.title = (reason || `Running on ${LABEL[backend]}`) + about;
  }

  showFailed(message: string): void {
    this.element.dataset.backend = 'none';
    this.name.textContent = 'No backend';
    this.reason.textContent = '';
    this.element.title = message;
  }
}
