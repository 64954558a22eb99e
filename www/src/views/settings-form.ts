// The run's settings: task, algorithm (ACDC, or an attribution method with
// EAP-IG's m), metric, ablation, τ, seed, rows and ACDC's visit orders (τ and
// the orders only for ACDC; rows only for the tasks' own data). It shows a Settings and reports each change as a patch; the
// page state (state/page-state.ts) holds them.

import { el } from '../dom';
import type { Settings } from '../state/settings';
import { ABLATIONS, ALGORITHMS, METRICS, VISIT_MODES, type Algorithm, type TaskInfo } from '../generated/wire';
import { MAX_ROWS, MAX_STEPS, parseRows } from '../state/settings';
import { CUSTOM_TASK } from '../state/custom-task';
import { TauInput } from './tau-input';

const ALGORITHM_LABEL: Record<Algorithm, string> = {
  acdc: 'ACDC — prune edge by edge',
  exact: 'exact — patch each edge alone',
  eap: 'EAP — one gradient',
  'eap-ig': 'EAP-IG — integrated gradients',
};

const METRIC_LABEL: Record<string, string> = {
  kl: 'KL divergence',
  logit_diff: '− logit difference',
  prob_diff: '− probability difference',
  l2: 'L2',
  nll: 'NLL',
};

export class SettingsForm {
  private readonly task = select('task', 'task');
  private readonly algorithm = select('algorithm', 'algorithm');
  private readonly metric = select('metric', 'metric');
  private readonly ablation = select('ablation', 'ablation');
  /** τ (public: the page says beside it which τ the run shown used, and offers a re-run). */
  readonly tau: TauInput;
  private readonly seed = el('input', { type: 'number', min: 0, step: 1, id: 'seed', 'data-testid': 'seed' });
  /** Empty: the task's own count. */
  private readonly rows = el('input', { type: 'number', min: 1, max: MAX_ROWS, step: 1, id: 'rows', placeholder: 'the task’s', 'data-testid': 'rows' });
  private readonly rowsField = field('rows', 'Rows', this.rows);
  private readonly indices = select('indices', 'indices');
  private readonly names = select('names', 'names');
  private readonly steps = el('input', { type: 'number', min: 1, max: MAX_STEPS, step: 1, id: 'steps', 'data-testid': 'steps' });
  private readonly stepsField = field('steps', 'EAP-IG steps m', this.steps);
  private tasks: readonly TaskInfo[] = [];
  /** Fields that only ACDC reads. */
  private acdcOnly: HTMLElement[] = [];
  /** Where the task's explanation and sample go, right under the task. */
  readonly taskSlot = el('div', { class: 'task-slot' });
  readonly element: HTMLElement;
  /** Shown above the settings while a run is in progress. */
  readonly lock = el(
    'p',
    { class: 'settings-lock', 'data-testid': 'settings-lock', hidden: true },
    'A run is in progress: its settings stay as they are until it ends (or Reset). τ can still be changed, to re-run at it.',
  );

  constructor(onChange: (patch: Partial<Settings>) => void) {
    this.tau = new TauInput('run', (tau) => onChange({ tau }));
    this.algorithm.append(...ALGORITHMS.map((a) => el('option', { value: a }, ALGORITHM_LABEL[a])));
    this.algorithm.addEventListener('change', () =>
      onChange({ algorithm: ALGORITHMS.find((a) => a === this.algorithm.value) }),
    );
    this.steps.addEventListener('change', () => {
      const steps = Math.floor(Number(this.steps.value));
      if (Number.isFinite(steps) && steps >= 1 && steps <= MAX_STEPS) onChange({ steps });
    });
    this.metric.append(...METRICS.map((m) => el('option', { value: m }, `${m} — ${METRIC_LABEL[m]}`)));
    this.ablation.append(...ABLATIONS.map((a) => el('option', { value: a }, a)));
    for (const s of [this.indices, this.names]) s.append(...VISIT_MODES.map((m) => el('option', { value: m }, m)));

    this.task.addEventListener('change', () => onChange({ task: this.task.value }));
    this.metric.addEventListener('change', () => onChange({ metric: METRICS.find((m) => m === this.metric.value) }));
    this.ablation.addEventListener('change', () =>
      onChange({ ablation: ABLATIONS.find((a) => a === this.ablation.value) }),
    );
    this.seed.addEventListener('change', () => {
      const seed = Math.floor(Number(this.seed.value));
      if (Number.isFinite(seed) && seed >= 0) onChange({ seed });
    });
    this.rows.addEventListener('change', () => {
      const text = this.rows.value.trim();
      const rows = parseRows(text);
      if (text === '' || rows !== null) onChange({ rows });
    });
    this.indices.addEventListener('change', () =>
      onChange({ indicesMode: VISIT_MODES.find((m) => m === this.indices.value) }),
    );
    this.names.addEventListener('change', () =>
      onChange({ namesMode: VISIT_MODES.find((m) => m === this.names.value) }),
    );

    const indices = field('indices', 'Head order', this.indices);
    const names = field('names', 'Sender order', this.names);
    this.acdcOnly = [this.tau.element, indices, names];
    this.element = el(
      'div',
      { class: 'settings', 'data-testid': 'settings' },
      field('task', 'Task', this.task),
      this.tau.element,
      this.taskSlot,
      field('algorithm', 'Algorithm', this.algorithm),
      this.stepsField,
      field('metric', 'Metric', this.metric),
      field('ablation', 'Ablation', this.ablation),
      field('seed', 'Seed', this.seed),
      this.rowsField,
      indices,
      names,
    );
  }

  /** The algorithms the picker offers (enabled options). */
  algorithms(): string[] {
    return [...this.algorithm.options].filter((o) => !o.disabled).map((o) => o.value);
  }

  setTasks(tasks: readonly TaskInfo[]): void {
    this.tasks = tasks;
    this.task.replaceChildren(...tasks.map((t) => el('option', { value: t.name }, t.name)));
  }

  show(settings: Settings): void {
    this.task.value = settings.task;
    this.algorithm.value = settings.algorithm;
    this.metric.value = settings.metric;
    this.ablation.value = settings.ablation;
    this.tau.set(settings.tau);
    this.seed.value = String(settings.seed);
    this.rows.value = settings.rows === null ? '' : String(settings.rows);
    const own = this.tasks.find((t) => t.name === settings.task)?.defaultRows;
    this.rows.placeholder = own === undefined ? 'the task’s' : `${own}, the task’s`;
    this.rowsField.hidden = settings.task === CUSTOM_TASK;
    this.indices.value = settings.indicesMode;
    this.names.value = settings.namesMode;
    this.steps.value = String(settings.steps);
    this.stepsField.hidden = settings.algorithm !== 'eap-ig';
    for (const f of this.acdcOnly) f.hidden = settings.algorithm !== 'acdc';
  }

  /** Settings are fixed while a run is in progress; τ may stay free (`tau`), for a re-run at another τ. */
  setEnabled(enabled: boolean, tau = enabled): void {
    for (const input of [this.task, this.metric, this.ablation, this.seed, this.rows, this.indices, this.names, this.steps]) {
      input.disabled = !enabled;
    }
    this.algorithm.disabled = !enabled;
    this.tau.setEnabled(tau);
  }
}

function select(id: string, testid: string): HTMLSelectElement {
  return el('select', { id, 'data-testid': testid });
}

function field(id: string, label: string, input: HTMLElement): HTMLElement {
  return el('div', { class: 'field' }, el('label', { for: id }, label), input);
}
