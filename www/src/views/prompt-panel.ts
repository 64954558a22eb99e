// "Try a prompt": the prompt, its tokens and the next-token table, and the
// predict request behind them. The playground says when Predict is allowed
// and hears how it went.

import { el } from '../dom';
import type { Prediction } from '../generated/wire';
import type { ErrorCode } from '../protocol';
import { codeOf, messageOf } from '../errors';
import type { WorkerClient } from '../worker-client';
import { PromptForm } from './prompt-form';
import type { StatusLine } from './status-line';
import { TokensView } from './tokens-view';
import { TopTable } from './top-table';

/** How many next-token candidates the table shows. */
const TOP_K = 10;

export interface PromptHost {
  client(): WorkerClient;
  status: StatusLine;
  error(code: ErrorCode, message: string): void;
  /** Predict started (earlier errors are old news). */
  started(): void;
  /** Predict ended (the controls may change). */
  settled(): void;
  /** A prediction was shown. */
  predicted?(prompt: string, prediction: Prediction): void;
}

export class PromptPanel {
  private readonly form = new PromptForm((text) => void this.predict(text));
  private readonly tokens = new TokensView();
  private readonly top = new TopTable();
  readonly element = el('div', { class: 'panel prompt-panel' }, this.form.element, this.tokens.element, this.top.element);
  private predicting = false;
  private enabled = false;

  constructor(private readonly host: PromptHost) {
    this.form.setEnabled(false);
  }

  set value(prompt: string) {
    this.form.value = prompt;
  }

  get busy(): boolean {
    return this.predicting;
  }

  /** Predict is offered only while a model is loaded and nothing is loading. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.form.setEnabled(enabled && !this.predicting);
  }

  clear(): void {
    this.tokens.clear();
    this.top.clear();
  }

  /** Types `text` in and, when allowed, predicts as the Predict button does. */
  async submit(text: string): Promise<void> {
    this.form.value = text;
    if (this.enabled && !this.predicting) await this.predict(text);
  }

  private async predict(text: string): Promise<void> {
    this.host.started();
    this.predicting = true;
    this.setEnabled(this.enabled);
    this.host.status.set('busy', 'Predicting…');
    this.clear();
    const started = performance.now();
    try {
      const prediction = await this.host.client().predict(text, TOP_K);
      this.tokens.show(prediction.tokens);
      this.top.show(prediction.top);
      this.predicting = false;
      this.host.predicted?.(text, prediction);
      this.host.status.set('ready', `Predicted in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      this.predicting = false;
      this.host.error(codeOf(error, 'predict'), messageOf(error));
    } finally {
      this.predicting = false;
      this.setEnabled(this.enabled);
      this.host.settled();
    }
  }
}
