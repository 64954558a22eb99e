// The one place errors are shown: the message as the worker said it, and a
// hint of what to do next. Showing an error never disables the page.

import { el } from '../dom';
import type { ErrorCode } from '../protocol';

const HINTS: Record<ErrorCode, string> = {
  backend: 'The model could not start on this device. Reload with ?backend=cpu to use the CPU.',
  fetch: 'Check that the server is running and that models/<id>/ holds config.json and model.safetensors.',
  load: 'Pick a model.safetensors that matches this model’s config.json. The previously loaded model is still in use.',
  predict: 'Check the prompt: every token must be in the model’s vocabulary and it must fit in n_ctx.',
  task: 'This task does not fit the loaded model (its vocabulary or n_ctx); pick another task or model. Your settings are kept.',
  graph: 'The model’s graph could not be built; try loading the model again.',
  run: 'The run stopped; your settings are kept. Press Run to try again, or reload with ?backend=cpu if the GPU was lost.',
  attention: 'The attention pattern could not be computed; the run is not affected.',
  judge: 'The circuit could not be judged on this data; the scores are kept. Try another size, or run again.',
  inspect: 'The inspection (logit lens, head logits, edge attention, a measured circuit) could not be computed; the run is not affected.',
  not_ready: 'Wait for the backend to start, then try again.',
  bad_request: 'This is a bug in the page; reloading it should help.',
  worker_crashed: 'The model’s worker crashed and was restarted; try again (reload the page if it keeps happening).',
  out_of_memory:
    'The worker was restarted and your settings are kept. Run again with fewer rows or a smaller model, or on the GPU (?backend=webgpu), which keeps the weights outside the wasm heap.',
  gpu_lost:
    'The worker was restarted and loads the model again, on a new GPU device if one can be had, else on the CPU (the badge says which). Your settings are kept; press Run to run again.',
  worker_hung:
    'The model’s worker stopped answering, so it was restarted and loads the model again. Your settings are kept; press Run to run again (reload the page if it keeps happening).',
};

export class ErrorArea {
  private readonly message = el('p', { class: 'error-message' });
  private readonly hint = el('p', { class: 'error-hint' });
  private readonly dismiss = el('button', { type: 'button', class: 'error-dismiss', 'aria-label': 'Dismiss' }, '×');
  readonly element = el(
    'div',
    { class: 'error', role: 'alert', 'data-testid': 'error', hidden: true },
    this.message,
    this.hint,
    this.dismiss,
  );

  constructor() {
    this.dismiss.addEventListener('click', () => this.clear());
  }

  show(code: ErrorCode, message: string, hint: string = HINTS[code]): void {
    this.element.dataset.code = code;
    this.message.textContent = message;
    this.hint.textContent = hint;
    this.element.hidden = false;
  }

  clear(): void {
    this.element.hidden = true;
    delete this.element.dataset.code;
    this.message.textContent = '';
    this.hint.textContent = '';
  }
}
