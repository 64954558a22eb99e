// The stage's exports: circuit.json as the run produced it, and the graph as
// SVG or PNG painted as the page shows it (fates, the ground-truth verdicts
// or an attribution run's scores), in the page's colours.

import type { GraphInfo, GraphLayout } from '../generated/wire';
import { download, graphSvg, svgToPng } from '../graph/export';
import type { GraphView } from '../graph/graph-view';
import type { RunState } from '../state/run-state';

export function downloadCircuitJson(circuit: unknown): void {
  download('circuit.json', new Blob([`${JSON.stringify(circuit, null, 2)}\n`], { type: 'application/json' }));
}

/**
 * The graph with `state`'s fates as an SVG document (`circuitOnly`: the kept
 * edges only), its collapsed layers merged as the view shows them; `current`
 * (the run the view shows) adds its truth verdicts and scores. Colours are
 * read from `styled`'s CSS variables.
 */
export function stageSvg(graph: GraphInfo, styled: Element, view: GraphView, state: RunState | null, circuitOnly: boolean, current: boolean): string {
  const style = getComputedStyle(styled);
  const layout = view.exportLayout() ?? graph.layout;
  const color = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return graphSvg(
    layout,
    state,
    view.palette,
    {
      background: color('--panel', '#ffffff'),
      text: color('--text', '#1c1917'),
      node: color('--node', '#f1f5f9'),
      nodeBorder: color('--node-border', '#94a3b8'),
    },
    circuitOnly,
    current ? view.truthVerdict : null,
    current ? view.scorePaint : null,
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
  graph(): GraphInfo | null;
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

  /** The graph with `state`'s fates as an SVG document (`circuitOnly`: the kept edges only). */
  svgOf(state: RunState | null, circuitOnly: boolean): string | null {
    const graph = this.source.graph();
    if (graph === null) return null;
    return stageSvg(graph, this.source.styled(), this.source.view, state, circuitOnly, state === this.source.state());
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
    const svg = this.svgOf(this.source.state(), this.source.view.circuitOnly);
    const graph = this.source.graph();
    if (svg === null || graph === null) return;
    try {
      await downloadPng(svg, this.source.view.exportLayout() ?? graph.layout);
    } catch (error) {
      this.source.error(error);
    }
  }
}
