// The always-visible explanation above the graph: before a run, what the
// picture is and what ACDC does; during it, the edge just decided in words
// and then in numbers (explain/narrate.ts), with the counts so far; at the
// end, what was found. While a run goes faster than anyone reads, the text
// changes at most every READ_MS; a pause, a step or the end shows the latest
// decision at once. A compact embed shows the one-line form (CSS picks it)
// and keeps the introduction behind "What is this?".
//
// `data-kind` (intro | tested | skipped | summary | message), `data-edge`,
// `data-delta` and `data-kept` say what is shown, for tests.

import { el } from '../dom';
import {
  introNarration,
  progressLine,
  skippedNarration,
  summaryNarration,
  testedNarration,
  type Narration,
  type RunContext,
} from '../explain/narrate';
import type { RunState } from '../state/run-state';

/** The shortest time a live sentence stays up while the run goes on (ms). */
const READ_MS = 900;

export class Explanation {
  private readonly headline = el('p', { class: 'explain-headline', 'data-testid': 'explain-headline' });
  private readonly detail = el('div', { class: 'explain-detail', 'data-testid': 'explain-detail' });
  private readonly progress = el('p', { class: 'explain-progress', 'data-testid': 'explain-progress' });
  private readonly line = el('p', { class: 'explain-line', 'data-testid': 'explain-line' });
  private readonly notice = el('p', { class: 'explain-notice', 'data-testid': 'explain-notice', hidden: true });
  private readonly introBody = el('div', { class: 'explain-intro-body' });
  private readonly intro = el(
    'details',
    { class: 'explain-intro', 'data-testid': 'explain-intro' },
    el('summary', {}, 'What is this?'),
    this.introBody,
  );
  readonly element = el(
    'section',
    { class: 'explain', 'aria-label': 'What is happening', 'data-testid': 'explanation', 'data-kind': 'message' },
    this.notice,
    this.headline,
    this.detail,
    this.progress,
    this.line,
    this.intro,
  );
  private lastShown = 0;
  private introFor: RunContext | null = null;
  private introKey = '';
  private timer = 0;
  private pending: (() => void) | null = null;

  /** A plain message (loading, no model). */
  message(text: string): void {
    this.cancelPending();
    this.set('message', { headline: text, detail: [], line: text });
    this.progress.textContent = '';
    this.intro.hidden = true;
  }

  /** Before a run: what the graph is and what ACDC will do. */
  showIntro(ctx: RunContext): void {
    this.cancelPending();
    const n = introNarration(ctx);
    this.set('intro', n);
    this.progress.textContent = '';
    this.intro.hidden = true;
    this.fillIntro(ctx);
  }

  /** The introduction behind "What is this?", for the run's context (built once per context). */
  private fillIntro(ctx: RunContext): void {
    const key = `${ctx.metric} ${ctx.tau} ${ctx.ablation} ${ctx.graph.counts.edges}`;
    if (this.introFor?.graph === ctx.graph && this.introKey === key) return;
    this.introFor = ctx;
    this.introKey = key;
    const n = introNarration(ctx);
    this.introBody.replaceChildren(...[n.headline, ...n.detail].map((t) => el('p', {}, t)));
  }

  /**
   * The latest decision of a running (or paused) run. `now`: show it at once
   * (paused, stepped); otherwise no sooner than READ_MS after the last one.
   */
  showRun(ctx: RunContext, state: RunState, now: boolean): void {
    this.fillIntro(ctx);
    const show = () => this.renderRun(ctx, state);
    const wait = this.lastShown + READ_MS - performance.now();
    if (now || wait <= 0) {
      this.cancelPending();
      show();
      return;
    }
    this.pending = show;
    if (this.timer === 0) {
      this.timer = window.setTimeout(() => {
        this.timer = 0;
        const next = this.pending;
        this.pending = null;
        next?.();
      }, wait);
    }
  }

  /** The run is over: what it found. */
  showSummary(ctx: RunContext, state: RunState): void {
    this.cancelPending();
    this.fillIntro(ctx);
    const s = summaryNarration(ctx, state);
    this.set('summary', s);
    this.element.dataset.kept = String(s.kept);
    this.element.dataset.heads = s.heads.join(' ');
    this.progress.textContent = '';
    this.intro.hidden = false;
  }

  /** A line above the rest (a τ changed since the run shown, …) with an optional action; null hides it. */
  setNotice(text: string | null, action?: { label: string; run: () => void; testid: string }): void {
    this.notice.hidden = text === null;
    if (text === null) {
      this.notice.replaceChildren();
      return;
    }
    const children: (Node | string)[] = [text];
    if (action) {
      const button = el('button', { type: 'button', class: 'link-button', 'data-testid': action.testid }, action.label);
      button.addEventListener('click', action.run);
      children.push(' ', button);
    }
    this.notice.replaceChildren(...children);
  }

  private renderRun(ctx: RunContext, state: RunState): void {
    this.lastShown = performance.now();
    const event = state.lastEvent;
    const skipped = event?.type === 'skipped' ? skippedNarration(ctx, event) : null;
    const tested = state.lastTested;
    if (skipped) {
      this.set('skipped', skipped);
      this.element.dataset.receiver = String(event?.type === 'skipped' ? event.receiver : '');
    } else if (tested) {
      this.set('tested', testedNarration(ctx, tested));
      this.element.dataset.edge = String(tested.edge);
      this.element.dataset.delta = String(tested.metricAfter - tested.metricBefore);
      this.element.dataset.removed = String(tested.removed);
    } else {
      this.set('message', {
        headline: 'The full model is measured; ACDC now removes edges one at a time, starting at the output.',
        detail: [],
        line: 'ACDC starts at the output…',
      });
    }
    this.progress.textContent = progressLine(state);
    this.intro.hidden = false;
  }

  private set(kind: string, n: Narration): void {
    this.element.dataset.kind = kind;
    for (const key of ['edge', 'delta', 'removed', 'receiver', 'kept', 'heads']) delete this.element.dataset[key];
    this.headline.textContent = n.headline;
    this.detail.replaceChildren(...n.detail.map((t) => el('p', {}, t)));
    this.line.textContent = n.line;
    this.line.title = n.line;
  }

  private cancelPending(): void {
    if (this.timer !== 0) window.clearTimeout(this.timer);
    this.timer = 0;
    this.pending = null;
  }
}
