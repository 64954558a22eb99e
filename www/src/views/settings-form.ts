// The run's settings: task, algorithm, metric, ablation, τ, seed and ACDC's
// visit orders. It shows a Settings and reports each change as a patch; the
// page state (state/page-state.ts) holds them.

import { el } from '../dom';
import type { Settings } from '../state/settings';
import { ABLATIONS, METRICS, VISIT_MODES, type TaskInfo } from '../generated/wire';
import { TauInput } from './tau-input';

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
  private readonly tau: TauInput;
  private readonly seed = el('input', { type: 'number', min: 0, step: 1, id: 'seed', 'data-testid': 'seed' });
  private readonly indices = select('indices', 'indices');
  private readonly names = select('names', 'names');
  /** Where the task's explanation and sample go, right under the task. */
  readonly taskSlot = el('div', { class: 'task-slot' });
  readonly element: HTMLElement;

  constructor(onChange: (patch: Partial<Settings>) => void) {
    this.tau = new TauInput('run', (tau) => onChange({ tau }));
    this.algorithm.append(
      el('option', { value: 'acdc' }, 'ACDC'),
      el('option', { value: 'eap', disabled: true }, 'EAP (coming)'),
    );
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
    this.indices.addEventListener('change', () =>
      onChange({ indicesMode: VISIT_MODES.find((m) => m === this.indices.value) }),
    );
    this.names.addEventListener('change', () =>
      onChange({ namesMode: VISIT_MODES.find((m) => m === this.names.value) }),
    );

    this.element = el(
      'div',
      { class: 'settings', 'data-testid': 'settings' },
      field('task', 'Task', this.task),
      this.taskSlot,
      field('algorithm', 'Algorithm', this.algorithm),
      field('metric', 'Metric', this.metric),
      field('ablation', 'Ablation', this.ablation),
      this.tau.element,
      field('seed', 'Seed', this.seed),
      field('indices', 'Head order', this.indices),
      field('names', 'Sender order', this.names),
    );
  }

  /** The algorithms the picker offers (enabled options). */
  algorithms(): string[] {
    return [...this.algorithm.options].filter((o) => !o.disabled).map((o) => o.value);
  }

  setTasks(tasks: readonly TaskInfo[]): void {
    this.task.replaceChildren(...tasks.map((t) => el('option', { value: t.name }, t.name)));
  }

  show(settings: Settings): void {
    this.task.value = settings.task;
    this.algorithm.value = settings.algorithm;
    this.metric.value = settings.metric;
    this.ablation.value = settings.ablation;
    this.tau.set(settings.tau);
    this.seed.value = String(settings.seed);
    this.indices.value = settings.indicesMode;
    this.names.value = settings.namesMode;
  }

  /** Settings are fixed while a run is in progress. */
  setEnabled(enabled: boolean): void {
    for (const input of [this.task, this.metric, this.ablation, this.seed, this.indices, this.names]) {
      input.disabled = !enabled;
    }
    this.algorithm.disabled = !enabled;
    this.tau.setEnabled(enabled);
  }
}

function select(id: string, testid: string): HTMLSelectElement {
  return el('select', { id, 'data-testid': testid });
}

function field(id: string, label: string, input: HTMLElement): HTMLElement {
  return el('div', { class: 'field' }, el('label', { for: id }, label), input);
}
