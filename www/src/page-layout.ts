// Where the playground's parts go (styles/workbench.css draws the grid). The full page:
// a skip link, the header (title, lessons menu, backend badge, status), the
// lesson beside the stage, then the run controls above the graph with the
// model and the settings in a sidebar whose model, task and τ come first, and
// below it the custom task, the inspector, the RASP editor and the prompt. A
// compact playground (an embed): a bar with Run/Step and the status, the
// stage, and the model and settings folded away (`show` unfolds parts).

import { el } from './dom';

export interface PageParts {
  compact: boolean;
  /** What a compact playground shows beyond its default (its `show` attribute). */
  show: ReadonlySet<string>;
  stage: HTMLElement;
  controls: HTMLElement;
  settings: HTMLElement[];
  model: HTMLElement;
  /** Other ways to get a model: files, a model fetched on request. */
  others: HTMLElement[];
  status: HTMLElement;
  badge: HTMLElement;
  errors: HTMLElement;
  lessonMenu?: HTMLElement;
  lessonSlot?: HTMLElement;
  /** Under the workbench, in this order. */
  below: HTMLElement[];
  focusRun(): void;
}

export function pageLayout(parts: PageParts): HTMLElement {
  const settings = el('div', { class: 'panel settings-panel' }, ...parts.settings);
  const model = el('div', { class: 'panel model-panel' }, parts.model);
  // Last in the sidebar (and in the tab order): a large download on request never competes with Run.
  const others = el(
    'section',
    { class: 'panel more-models', 'aria-labelledby': 'more-models-title', 'data-testid': 'more-models' },
    el('h2', { id: 'more-models-title' }, 'Other models'),
    ...parts.others,
  );
  if (parts.compact) {
    // Always there (each embed keeps its own settings), shown with show="settings".
    const extras = el(
      'details',
      { class: 'compact-settings', 'data-testid': 'compact-settings' },
      el('summary', {}, 'Model and settings'),
      model,
      settings,
      others,
    );
    return el(
      'div',
      { class: 'app compact', 'data-show': [...parts.show].join(' ') },
      el('div', { class: 'compact-bar' }, el('strong', { class: 'compact-title' }, 'Circuitscope'), parts.controls, parts.status, parts.badge),
      parts.errors,
      parts.stage,
      extras,
    );
  }
  const skip = el('a', { class: 'skip-link', href: '#stage', 'data-testid': 'skip-link' }, 'Skip to Run and the graph');
  skip.addEventListener('click', (event) => {
    event.preventDefault();
    parts.focusRun();
    parts.controls.scrollIntoView({ block: 'nearest' });
  });
  return el(
    'div',
    { class: 'app' },
    skip,
    el(
      'header',
      { class: 'app-header' },
      el('h1', {}, 'Circuitscope'),
      el('p', { class: 'tagline' }, 'Watch ACDC find the circuit of a small transformer, in your browser.'),
      parts.lessonMenu,
      parts.badge,
      parts.status,
    ),
    parts.lessonSlot,
    el(
      'main',
      { class: 'app-main' },
      parts.errors,
      el('div', { class: 'workbench' }, parts.controls, el('aside', { class: 'sidebar' }, model, settings, others), parts.stage),
      ...parts.below,
    ),
  );
}
