// What a run leaves: circuit.json, the graph as SVG and PNG, and a link that
// reopens the page with the same settings (shown, and copied when allowed).

import { el } from '../dom';

export interface ResultActions {
  json(): void;
  svg(): void;
  png(): void;
  /** The link to copy. */
  link(): string;
}

export class ResultsBar {
  private readonly jsonButton = button('Export circuit.json', 'export-json');
  private readonly svgButton = button('SVG', 'export-svg');
  private readonly pngButton = button('PNG', 'export-png');
  private readonly copyButton = button('Copy link', 'copy-link');
  private readonly linkField = el('input', {
    type: 'text',
    readonly: true,
    class: 'link-field',
    'aria-label': 'Link to these settings',
    'data-testid': 'link',
    hidden: true,
  });
  private readonly note = el('span', { class: 'copy-note', role: 'status' });
  readonly element = el(
    'div',
    { class: 'results-bar' },
    this.jsonButton,
    this.svgButton,
    this.pngButton,
    this.copyButton,
    this.note,
    this.linkField,
  );

  constructor(actions: ResultActions) {
    this.jsonButton.addEventListener('click', () => actions.json());
    this.svgButton.addEventListener('click', () => actions.svg());
    this.pngButton.addEventListener('click', () => actions.png());
    this.copyButton.addEventListener('click', () => void this.copy(actions.link()));
    this.setCircuit(false);
  }

  /** circuit.json exists once a run is done; the pictures exist whenever a graph does. */
  setCircuit(done: boolean): void {
    this.jsonButton.disabled = !done;
  }

  private async copy(link: string): Promise<void> {
    this.linkField.value = link;
    this.linkField.hidden = false;
    this.linkField.select();
    try {
      await navigator.clipboard.writeText(link);
      this.note.textContent = 'Link copied.';
    } catch {
      this.note.textContent = 'Copy the link below.';
    }
  }
}

function button(label: string, testid: string): HTMLButtonElement {
  return el('button', { type: 'button', 'data-testid': testid }, label);
}
