// The lesson beside the playground: its title, the steps (a list to jump
// between them), the step shown — its text, what the playground was set to,
// a program for the RASP editor, the question — and Back / Next, "Export my
// answers" and "Start over". A lesson with mistakes shows them, with their
// lines, instead of its steps. Focus moves to a step's heading when it opens,
// so a screen reader announces it.

import { el } from '../dom';
import { download } from '../graph/export';
import type { Lesson, LessonError } from './format';
import { fillSlots, type FeedbackHost } from './feedback-view';
import type { LessonHost } from './host';
import { renderMarkdown, type Slot } from './markdown';
import type { LessonProgress } from './progress';
import { QuestionView } from './question-view';
import { sweepPlot } from './sweep-plot';
import { edgeId, parseHead } from './refs';
import { LessonRunner, type LessonView, type QuestionState } from './runner';

export class LessonPanel implements LessonView {
  readonly element = el('aside', { class: 'lesson-panel', 'data-testid': 'lesson', role: 'complementary' });
  private readonly stepList = el('ol', { class: 'lesson-steps' });
  private readonly body = el('section', { class: 'lesson-step', 'data-testid': 'lesson-step' });
  private readonly setupNote = el('p', { class: 'setup-note', 'data-testid': 'setup-note', role: 'status' });
  private readonly questionSlot = el('div');
  /** A sweep step's plot of its runs so far. */
  private readonly sweepSlot = el('div', { class: 'sweep-live', 'aria-live': 'polite' });
  private readonly backButton = el('button', { type: 'button', 'data-testid': 'lesson-back' }, 'Back');
  private readonly nextButton = el('button', { type: 'button', class: 'primary', 'data-testid': 'lesson-next' }, 'Next');
  private readonly runner: LessonRunner | null = null;
  private question: QuestionView | null = null;
  /** The step text's `{{measures}}`, filled once the playground is set up for it. */
  private slots: Slot[] = [];
  private readonly unlisten: () => void = () => {};

  constructor(
    private readonly host: LessonHost,
    file: string,
    lesson: Lesson,
    errors: readonly LessonError[],
    onClose: () => void,
  ) {
    const { meta } = lesson;
    const close = el('button', { type: 'button', class: 'icon lesson-close', 'data-testid': 'lesson-close', 'aria-label': 'Close the lesson' }, '×');
    close.addEventListener('click', onClose);
    this.element.setAttribute('aria-label', `Lesson: ${meta.title}`);
    this.element.dataset.lesson = meta.id;
    this.element.append(
      el(
        'header',
        { class: 'lesson-header' },
        el('p', { class: 'lesson-kicker' }, `Lesson · ${meta.level} · about ${meta.minutes} min`),
        el('h2', { 'data-testid': 'lesson-title' }, meta.title),
        close,
      ),
    );
    if (errors.length > 0) {
      this.element.dataset.state = 'broken';
      this.element.append(
        el(
          'section',
          { class: 'lesson-errors', 'data-testid': 'lesson-errors', role: 'alert' },
          el('p', {}, el('strong', {}, `${file} has ${errors.length === 1 ? 'a mistake' : `${errors.length} mistakes`}; fix ${errors.length === 1 ? 'it' : 'them'} and reload:`)),
          el('ul', {}, ...errors.map((e) => el('li', { 'data-line': e.line }, e.line > 0 ? `Line ${e.line}: ${e.message}` : e.message))),
        ),
      );
      return;
    }
    this.element.dataset.state = 'open';
    this.backButton.addEventListener('click', () => this.runner?.back());
    this.nextButton.addEventListener('click', () => this.runner?.next());
    this.element.append(
      el('nav', { class: 'lesson-nav', 'aria-label': 'Steps of the lesson' }, this.stepList),
      this.body,
      el('footer', { class: 'lesson-footer' }, this.backButton, this.nextButton, ...this.tools()),
    );
    this.runner = new LessonRunner(host, lesson, this);
    this.stepList.replaceChildren(
      ...lesson.steps.map((step, i) => {
        const b = el('button', { type: 'button', class: 'step-link', 'data-step': i }, `${i + 1}. ${step.title}`);
        b.addEventListener('click', () => void this.runner?.goTo(i));
        return el('li', {}, b);
      }),
    );
    this.unlisten = host.listen((event) => {
      if (event.type === 'head') this.question?.toggleHead(event.box.label);
      if (event.type === 'phase' && event.phase === 'done' && this.sweepSlot.isConnected) void this.drawSweep();
    });
    this.runner.open();
  }

  /** Puts the keyboard on the step's title (once the panel is on the page: a detached or hidden heading takes no focus). */
  focusStep(): void {
    this.body.querySelector<HTMLElement>('[data-testid="step-title"]')?.focus();
  }

  close(): void {
    this.unlisten();
    this.runner?.close();
  }

  private tools(): HTMLElement[] {
    const exportButton = el('button', { type: 'button', 'data-testid': 'lesson-export' }, 'Export my answers');
    exportButton.addEventListener('click', () => {
      if (this.runner === null) return;
      const data = this.runner.exportAnswers();
      download(`${data.lesson.id}-answers.json`, new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' }));
    });
    const reset = el('button', { type: 'button', 'data-testid': 'lesson-reset' }, 'Start over');
    reset.addEventListener('click', () => {
      if (this.runner && confirmReset()) this.runner.reset();
    });
    return [exportButton, reset];
  }

  private feedbackHost(): FeedbackHost {
    return {
      mark: (heads, edges) => {
        const graph = this.host.graph();
        const boxes = heads.flatMap((h) => {
          const head = parseHead(h);
          return head ? [`head:${head.layer}:${head.head}`] : [];
        });
        this.host.highlight(boxes, graph ? edges.map((e) => edgeId(graph, e)).filter((id) => id >= 0) : []);
      },
      context: () => {
        if (this.runner === null) throw new Error('no lesson');
        return this.runner.context();
      },
    };
  }

  showStep(index: number, setupNote: string): void {
    const runner = this.runner;
    if (runner === null) return;
    const { lesson } = runner;
    const step = lesson.steps[index];
    this.element.dataset.step = String(index);
    this.element.dataset.stepId = step.id;
    this.element.dataset.setup = 'pending';
    for (const b of this.stepList.querySelectorAll<HTMLButtonElement>('.step-link')) {
      const current = b.dataset.step === String(index);
      if (current) b.setAttribute('aria-current', 'step');
      else b.removeAttribute('aria-current');
    }
    this.slots = [];
    const heading = el('h3', { tabindex: -1, 'data-testid': 'step-title' }, `Step ${index + 1} of ${lesson.steps.length}: ${step.title}`);
    const parts: HTMLElement[] = [heading];
    if (index === 0 && lesson.intro) parts.push(this.markdown(lesson.intro));
    parts.push(this.markdown(step.text));
    if (step.program) {
      const put = el('button', { type: 'button', 'data-testid': 'put-program' }, 'Put this program in the editor');
      put.addEventListener('click', () => void runner.putProgram());
      parts.push(el('div', { class: 'lesson-program' }, el('pre', {}, el('code', {}, step.program.value)), put));
    }
    if (step.setup?.sweep) {
      const sweep = el('button', { type: 'button', 'data-testid': 'run-sweep' }, `Run ACDC at τ = ${step.setup.sweep.value.join(', ')}`);
      sweep.addEventListener('click', () => {
        sweep.disabled = true;
        void runner.sweep().finally(() => (sweep.disabled = false));
      });
      parts.push(sweep, this.sweepSlot);
      void this.drawSweep();
    }
    this.setupNote.textContent = setupNote;
    this.question = null;
    this.questionSlot.replaceChildren();
    this.body.replaceChildren(...parts, this.setupNote, this.questionSlot);
    this.backButton.disabled = index === 0;
    this.nextButton.disabled = false;
    this.nextButton.textContent = index + 1 === lesson.steps.length ? 'Finish' : 'Next';
    heading.focus({ preventScroll: false });
  }

  setupDone(note: string | null): void {
    this.element.dataset.setup = 'done';
    this.setupNote.textContent = note ?? '';
    const runner = this.runner;
    if (runner && this.slots.length > 0) fillSlots(this.slots.splice(0), () => runner.context());
  }

  showQuestion(state: QuestionState | null): void {
    const runner = this.runner;
    if (runner === null) return;
    if (state === null) {
      this.question = null;
      this.questionSlot.replaceChildren();
      return;
    }
    if (this.question === null) {
      this.question = new QuestionView(
        {
          answer: (a) => runner.setAnswer(a),
          lock: () => runner.lock(),
          check: () => void runner.check(),
          retry: () => runner.retry(),
          reveal: (where) => this.host.reveal(where),
        },
        this.feedbackHost(),
      );
      this.questionSlot.replaceChildren(this.question.element);
    }
    this.question.show(state);
  }

  showEnd(progress: LessonProgress): void {
    const runner = this.runner;
    if (runner === null) return;
    this.element.dataset.step = 'end';
    const questions = runner.lesson.steps.flatMap((s) => (s.question ? [s.question] : []));
    const right = questions.filter((q) => progress.answers[q.id]?.correct).length;
    const heading = el('h3', { tabindex: -1, 'data-testid': 'step-title' }, 'Lesson done');
    this.body.replaceChildren(
      heading,
      el('p', { 'data-testid': 'lesson-score' }, `You answered ${right} of ${questions.length} questions right (the last answer to each counts).`),
      el(
        'ul',
        { class: 'answer-summary' },
        ...questions.map((q) => {
          const a = progress.answers[q.id];
          return el('li', {}, `${a ? (a.correct ? '✓' : '✗') : '–'} ${q.prompt.value}`);
        }),
      ),
      el('p', {}, 'Export your answers for your teacher with “Export my answers” below.'),
    );
    this.backButton.disabled = false;
    this.nextButton.disabled = true;
    heading.focus();
  }

  /** The sweep so far: a point per τ run in this lesson with the step's settings. */
  private async drawSweep(): Promise<void> {
    const runner = this.runner;
    if (runner === null) return;
    try {
      const points = await runner.sweepPoints();
      this.sweepSlot.replaceChildren(
        points.length === 0
          ? el('p', { class: 'muted' }, 'Each run you finish here adds a point: its size and its faithfulness f.')
          : el('figure', { class: 'sweep-figure' }, sweepPlot(points, null), el('figcaption', {}, `${points.length} run${points.length === 1 ? '' : 's'} so far: size against faithfulness.`)),
      );
    } catch {
      this.sweepSlot.replaceChildren(el('p', { class: 'muted' }, 'Each run you finish here adds a point: its size and its faithfulness f.'));
    }
  }

  private markdown(text: string): HTMLElement {
    const { element, slots } = renderMarkdown(text, 'md');
    this.slots.push(...slots);
    return element;
  }
}

function confirmReset(): boolean {
  try {
    return window.confirm('Start the lesson over? Your answers to it in this browser are deleted.');
  } catch {
    return true;
  }
}
