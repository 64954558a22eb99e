// One open lesson: which step is shown, the playground set up for it, what
// the student answered and what the page computed, the lesson's finished
// runs, and the progress kept in localStorage. It talks to the page only
// through the lesson host, and to the student through its view (panel.ts).

import type { Value, Evidence, RunRecord } from './measures/types';
import { NotYet } from './measures/types';
import { measure } from './measures';
import type { Lesson, Question } from './format';
import type { LessonHost, PageEvent } from './host';
import { LessonContext, PassCache } from './context';
import { isRight } from './check';
import { freshMemory, needStatus, type NeedStatus, type StepMemory } from './needs';
import { circuitHash, exportAnswers, loadProgress, resetProgress, saveProgress, type Answer, type AnswersExport, type LessonProgress } from './progress';
import { edgeNames } from './refs';
import { sweepOf } from './measures/run';
import type { SweepPoint } from './scores';
import { applySetup, mergedSetup, runSweep } from './setup';
import { messageOf } from '../errors';

export interface CheckResult {
  correct: boolean;
  answer: Answer;
  expected: Value;
  evidence: Evidence[];
}

export interface QuestionState {
  question: Question;
  /** What may be chosen (choices, heads, edges); null while computed. */
  options: string[] | null;
  answer: Answer | null;
  /** A prediction locked in, waiting for its reveal. */
  locked: boolean;
  checking: boolean;
  /** The playground is still being set up for the step: nothing can be checked yet. */
  settingUp: boolean;
  /** Why the check could not be made yet ("run ACDC first"), or a failure. */
  notice: string | null;
  result: CheckResult | null;
  needs: NeedStatus[];
}

export interface LessonView {
  showStep(index: number, setupNote: string): void;
  setupDone(note: string | null): void;
  showQuestion(state: QuestionState | null): void;
  showEnd(progress: LessonProgress): void;
}

export class LessonRunner {
  private progress: LessonProgress;
  private index = 0;
  private generation = 0;
  private memory: StepMemory = freshMemory();
  private readonly log: RunRecord[] = [];
  private cache: PassCache | null = null;
  private question: QuestionState | null = null;
  private readonly stop: (() => void)[] = [];
  private ended = false;

  constructor(
    private readonly host: LessonHost,
    readonly lesson: Lesson,
    private readonly view: LessonView,
  ) {
    this.progress = loadProgress(lesson.meta.id);
    this.stop.push(host.listen((event) => this.onEvent(event)));
    this.stop.push(host.state.watch(null, () => this.refresh()));
  }

  get step(): number {
    return this.index;
  }

  get answers(): LessonProgress {
    return this.progress;
  }

  /** Opens the lesson where the student left it. */
  open(): void {
    const at = Math.min(this.progress.step, this.lesson.steps.length - 1);
    if (this.progress.done) this.finish();
    else void this.goTo(at);
  }

  close(): void {
    this.generation++;
    for (const stop of this.stop.splice(0)) stop();
    this.host.highlight([], []);
  }

  async goTo(index: number): Promise<void> {
    const generation = ++this.generation;
    this.ended = false;
    this.index = index;
    this.memory = freshMemory();
    this.progress.step = index;
    saveProgress(this.lesson.meta.id, this.progress);
    this.host.highlight([], []);
    const step = this.lesson.steps[index];
    this.question = step.question ? this.freshQuestion(step.question) : null;
    this.view.showStep(index, step.setup ? 'Setting up the playground…' : '');
    this.view.showQuestion(this.question);
    this.refresh();
    const cancelled = () => generation !== this.generation;
    try {
      const applied = await applySetup(this.host, this.lesson, index, cancelled);
      if (cancelled()) return;
      this.view.setupDone(applied.complete && step.setup ? setupNote(this.host) : null);
    } catch (error) {
      if (cancelled()) return;
      this.view.setupDone(`The playground could not be set up: ${messageOf(error)}`);
    }
    this.update({ settingUp: false });
    this.refresh();
    await this.loadOptions(generation);
  }

  next(): void {
    if (this.index + 1 < this.lesson.steps.length) void this.goTo(this.index + 1);
    else this.finish();
  }

  back(): void {
    if (this.ended) void this.goTo(this.lesson.steps.length - 1);
    else if (this.index > 0) void this.goTo(this.index - 1);
  }

  reset(): void {
    resetProgress(this.lesson.meta.id);
    this.progress = loadProgress(this.lesson.meta.id);
    this.log.length = 0;
    void this.goTo(0);
  }

  setAnswer(answer: Answer | null): void {
    if (this.question === null || this.question.locked) return;
    this.question = { ...this.question, answer, result: null, notice: null };
    this.view.showQuestion(this.question);
  }

  /** A prediction is committed: checked as soon as its needs are met. */
  lock(): void {
    if (this.question === null || this.question.answer === null) return;
    this.question = { ...this.question, locked: true };
    this.view.showQuestion(this.question);
    this.refresh();
  }

  /** After a wrong answer: answer again (a prediction stays as it was). */
  retry(): void {
    if (this.question === null || this.question.question.predict) return;
    this.question = { ...this.question, result: null, notice: null };
    this.view.showQuestion(this.question);
  }

  async check(): Promise<void> {
    const q = this.question;
    if (q === null || q.answer === null || q.checking || q.settingUp || !q.needs.every((n) => n.met)) return;
    const generation = this.generation;
    this.update({ checking: true, notice: null });
    try {
      const ctx = this.context();
      const def = measure(q.question.answer.name);
      if (def === undefined) throw new Error(`unknown measure ${q.question.answer.name}`);
      const { value, evidence } = await def.compute(q.question.answer, ctx);
      if (generation !== this.generation) return;
      const correct = isRight(q.question, q.answer, value);
      const result: CheckResult = { correct, answer: q.answer, expected: value, evidence };
      await this.record(q, result);
      this.update({ checking: false, result });
    } catch (error) {
      if (generation !== this.generation) return;
      const notice = error instanceof NotYet ? `Not yet: ${error.message}.` : `The check failed: ${messageOf(error)}`;
      this.update({ checking: false, notice });
    }
  }

  /** Runs the step's τ sweep (setup `sweep:`), each run to the end. */
  async sweep(): Promise<void> {
    const taus = this.lesson.steps[this.index].setup?.sweep?.value;
    if (!taus) return;
    const generation = this.generation;
    await runSweep(this.host, taus, () => generation !== this.generation);
  }

  /** The lesson's comparable runs as a sweep (one point per τ), with their faithfulness. */
  async sweepPoints(): Promise<SweepPoint[]> {
    return sweepOf(this.context());
  }

  /** The step's own program (a `rasp` block) into the editor. */
  async putProgram(): Promise<void> {
    const program = this.lesson.steps[this.index].program;
    if (program) await this.host.setProgram(program.value, false);
  }

  /** The measures' view of the page now; the same passes are reused until the model changes. */
  context(): LessonContext {
    const model = this.host.state.loaded;
    if (this.cache === null || this.cache.model !== model) this.cache = new PassCache(model);
    const merged = mergedSetup(this.lesson, this.index);
    const prompt = merged.prompt?.value || null;
    const row = merged.row?.value ?? 0;
    return new LessonContext(this.host, this.cache, { step: this.lesson.steps[this.index].id, prompt, row }, this.log);
  }

  exportAnswers(): AnswersExport {
    const order = this.lesson.steps.flatMap((s) => (s.question ? [s.question.id] : []));
    return exportAnswers({ id: this.lesson.meta.id, title: this.lesson.meta.title }, order, this.progress);
  }

  private finish(): void {
    this.generation++;
    this.ended = true;
    this.progress.done = true;
    saveProgress(this.lesson.meta.id, this.progress);
    this.host.highlight([], []);
    this.view.showEnd(this.progress);
  }

  private freshQuestion(question: Question): QuestionState {
    const saved = this.progress.answers[question.id];
    return {
      question,
      options: null,
      answer: null,
      locked: false,
      checking: false,
      settingUp: true,
      notice: saved ? `Answered before: ${saved.correct ? 'right' : 'not right'} (${Array.isArray(saved.answer) ? saved.answer.join(', ') : saved.answer}).` : null,
      result: null,
      needs: [],
    };
  }

  /** The choices a question offers, computed from the page once the setup is done. */
  /** Whether the question's choices come from the runs (the kept edges, a measure such as the sweep's τs). */
  private optionsFollowRuns(): boolean {
    const q = this.question?.question;
    if (q === undefined || this.question?.locked) return false;
    if (q.kind === 'edges') return (q.among?.value ?? 'kept') === 'kept';
    return q.kind === 'choice' && q.options !== undefined && !('value' in q.options);
  }

  private async loadOptions(generation: number): Promise<void> {
    const q = this.question;
    if (q === null) return;
    try {
      const options = await this.optionsOf(q.question);
      if (generation !== this.generation) return;
      // The choices are here now: a notice that said they were not goes.
      const stale = this.question?.notice?.startsWith('Not yet') || this.question?.notice?.startsWith('The choices could not');
      this.update(stale ? { options, notice: null } : { options });
    } catch (error) {
      if (generation !== this.generation) return;
      const notice = error instanceof NotYet ? `Not yet: ${error.message}.` : `The choices could not be computed: ${messageOf(error)}`;
      this.update({ options: [], notice });
    }
  }

  private async optionsOf(question: Question): Promise<string[]> {
    const graph = this.host.graph();
    switch (question.kind) {
      case 'number':
        return [];
      case 'heads':
        if (graph === null) throw new NotYet('the model is still loading');
        return graph.layout.boxes.filter((b) => b.kind === 'head').map((b) => b.label).sort();
      case 'edges': {
        if (graph === null) throw new NotYet('the model is still loading');
        const among = question.among?.value ?? 'kept';
        const names = edgeNames(graph);
        if (among === 'kept') {
          const run = this.host.run();
          if (run.state === null || run.phase !== 'done') throw new NotYet('run ACDC to the end, then the kept edges are listed');
          return names.filter((n, e) => n !== '' && run.state?.present(e));
        }
        const [, side, part] = /^(into|from) (.+)$/.exec(among) ?? [];
        return names.filter((n) => {
          if (n === '') return false;
          const [s, r] = n.split(' -> ');
          return side === 'into' ? r === part || r.startsWith(`${part} `) : s === part;
        });
      }
      case 'choice': {
        const options = question.options;
        if (options === undefined) return [];
        if ('value' in options) return options.value;
        const def = measure(options.measure.name);
        if (def === undefined) return [];
        const { value } = await def.compute(options.measure, this.context());
        return Array.isArray(value) ? value : [String(value)];
      }
    }
  }

  private update(patch: Partial<QuestionState>): void {
    if (this.question === null) return;
    this.question = { ...this.question, ...patch };
    this.view.showQuestion(this.question);
  }

  private onEvent(event: PageEvent): void {
    if (event.type === 'prediction') this.memory.predicted = true;
    if (event.type === 'head') this.memory.heads.add(event.box.label);
    if (event.type === 'compiled' && event.ok) this.memory.compiled.push(event.source);
    if (event.type === 'phase' && event.phase === 'done') this.recordRun();
    if (event.type === 'phase' && this.optionsFollowRuns()) void this.loadOptions(this.generation);
    this.refresh();
  }

  private recordRun(): void {
    const { state, circuit } = this.host.run();
    const settings = this.host.state.settings;
    const model = this.host.state.loaded?.entry.id;
    if (state === null || circuit === null || settings === null || model === undefined) return;
    const kept = Uint8Array.from(state.fate, (_, e) => (state.present(e) ? 1 : 0));
    this.log.push({ step: this.lesson.steps[this.index].id, model, settings, kept, keptCount: circuit.kept.length, circuit });
  }

  /** The needs again; a locked prediction whose needs are met is revealed. */
  private refresh(): void {
    const q = this.question;
    if (q === null || this.ended) return;
    const shipped = this.host.models().flatMap((m) => (m.program ? [m.program.trim()] : []));
    const runs = this.host.graph() ? this.safeRuns() : [];
    const needs = q.question.needs.map((n) => needStatus(n, this.host, this.memory, runs, shipped));
    const changed = needs.some((n, i) => n.met !== q.needs[i]?.met || n.label !== q.needs[i]?.label) || needs.length !== q.needs.length;
    if (changed) this.update({ needs });
    const ready = needs.every((n) => n.met);
    if (q.locked && ready && !q.settingUp && q.result === null && !q.checking && q.notice === null) void this.check();
  }

  private safeRuns(): readonly RunRecord[] {
    try {
      return this.context().runs();
    } catch {
      return [];
    }
  }

  private async record(q: QuestionState, result: CheckResult): Promise<void> {
    const run = this.host.run();
    const previous = this.progress.answers[q.question.id];
    const step = this.lesson.steps[this.index];
    this.progress.answers[q.question.id] = {
      question: q.question.id,
      step: step.id,
      kind: q.question.kind,
      prompt: q.question.prompt.value,
      answer: result.answer,
      correct: result.correct,
      expected: result.expected,
      attempts: [...(previous?.attempts ?? []), { answer: result.answer, correct: result.correct }],
      settings: this.host.state.settings,
      model: this.host.state.loaded?.entry.id ?? null,
      circuitHash: run.circuit ? await circuitHash(run.circuit) : null,
    };
    saveProgress(this.lesson.meta.id, this.progress);
  }
}

/** "induction-2l · induction · KL · resample · τ 0.05 · seed 0". */
function setupNote(host: LessonHost): string {
  const s = host.state.settings;
  const model = host.state.loaded?.entry.id ?? '';
  return s ? `The playground is set: ${model} · ${s.task} · ${s.algorithm} · ${s.metric} · ${s.ablation} · τ ${s.tau} · seed ${s.seed}.` : '';
}
