// The stage's exports: circuit.json as the run produced it, and the graph as
// SVG or PNG painted as the page shows it (fates, the ground-truth verdicts
// or an attribution run's scores), in the page's colours.

import type { GraphLayout } from '../generated/wire';
import { download, graphSvg, svgToPng, type ExportedView } from '../graph/export';
import type { GraphView } from '../graph/graph-view';
import type { RunState } from '../state/run-state';

export function downloadCircuitJson(circuit: unknown): void {
  download('circuit.json', new Blob([`${JSON.stringify(circuit, null, 2)}\n`], { type: 'application/json' }));
}

/**
 * The graph with `state`'s fates as an SVG document (`circuitOnly`: the kept
 * edges only), as `view` shows it (collapsed layers merged); `current` (the
 * run the view shows) adds its truth verdicts and scores. Colours are read
 * from `styled`'s CSS variables.
 */
export function stageSvg(styled: Element, view: ExportedView, state: RunState | null, circuitOnly: boolean, current: boolean): string {
  const style = getComputedStyle(styled);
  const color = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return graphSvg(
    view.layout,
    state,
    view.palette,
    {
      background: color('--panel', '#ffffff'),
      text: color('--text', '#1c1917'),
      node: color('--node', '#f1f5f9'),
      nodeBorder: color('--node-border', '#94a3b8'),
    },
    circuitOnly,
    current ? view.truth : null,
    current ? view.scores : null,
  );
}

export function downloadSvg(svg: string): void {
  download('circuit.svg', new Blob([svg], { type: 'image/svg+xml' }));
}

export async function downloadPng(svg: string, layout: GraphLayout): Promise<void> {
  const { width, height } = layout;
  download('circuit.png', await svgToPng(svg, width, height));
}

/** What the exports read of the stage. */
export interface ExportSource {
  /** The element whose CSS variables colour the export. */
  styled(): Element;
  view: GraphView;
  /** The run shown, and its circuit.json (null: none yet). */
  state(): RunState | null;
  circuit(): unknown;
  error(error: unknown): void;
}

/** The results bar's three downloads, of the run shown, as the graph shows it. */
export class StageExports {
  constructor(private readonly source: ExportSource) {}

  /** The graph with `state`'s fates as an SVG document (`circuitOnly`: the kept edges only); null: no graph. */
  svgOf(state: RunState | null, circuitOnly: boolean): string | null {
    return this.picture(state, circuitOnly)?.svg ?? null;
  }

  /** The SVG and the layout it draws (for the PNG's size), from one look at the view. */
  private picture(state: RunState | null, circuitOnly: boolean): { svg: string; layout: GraphLayout } | null {
    const view = this.source.view.exported();
    if (view === null) return null;
    return { svg: stageSvg(this.source.styled(), view, state, circuitOnly, state === this.source.state()), layout: view.layout };
  }

  json(): void {
    const circuit = this.source.circuit();
    if (circuit !== null) downloadCircuitJson(circuit);
  }

  svg(): void {
    const svg = this.svgOf(this.source.state(), this.source.view.circuitOnly);
    if (svg !== null) downloadSvg(svg);
  }

  async png(): Promise<void> {
    const picture = this.picture(this.source.state(), this.source.view.circuitOnly);
    if (picture === null) return;
    try {
      await downloadPng(picture.svg, picture.layout);
    } catch (error) {
      this.source.error(error);
    }
  }
}
