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

  /** Shows the chosen backend; the reason is shown when it is not WebGPU (a fallback or a request). */
  show(backend: Backend, reason: string): void {
    this.element.dataset.backend = backend;
    this.name.textContent = LABEL[backend];
    this.reason.textContent = backend === 'cpu' && reason ? reason : '';
    this.element.title = reason || `Running on ${LABEL[backend]}`;
  }

  showFailed(message: string): void {
    this.element.dataset.backend = 'none';
    this.name.textContent = 'No backend';
    this.reason.textContent = '';
    this.element.title = message;
  }
}
