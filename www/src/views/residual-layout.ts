// The compiled model's residual stream: each basis direction by name, grouped
// by what writes it (the embeddings, then each head and MLP in forward order,
// with the s-op it computes), and the model's size beside it. Heads and MLPs
// go by their graph node's label, as in the graph view.

import { el } from '../dom';
import type { CompileReport, LayoutGroup, NodeInfo } from '../generated/wire';

/** What the layout view shows: the model's size, its circuit's size, and the layout. */
export type LayoutSummary = Pick<CompileReport, 'name' | 'nLayers' | 'nHeads' | 'dModel' | 'graphEdges' | 'layout'> & {
  groundTruth: { edges: readonly unknown[] };
};

export class ResidualLayout {
  private readonly summary = el('p', { class: 'layout-summary', 'data-testid': 'layout-summary' });
  private readonly groups = el('ol', { class: 'layout-groups', 'data-testid': 'layout-groups' });
  readonly element = el(
    'section',
    { class: 'residual-layout', 'aria-label': 'Residual stream layout', 'data-testid': 'residual-layout', hidden: true },
    el('h3', {}, 'Residual stream'),
    this.summary,
    this.groups,
  );

  /** A compile's report, or the same facts of a shipped compiled model; `nodes`: its graph's. */
  show(report: LayoutSummary, nodes: readonly NodeInfo[]): void {
    this.summary.textContent =
      `${report.name}: ${report.nLayers} layer${report.nLayers === 1 ? '' : 's'} × ${report.nHeads} head${report.nHeads === 1 ? '' : 's'}, ` +
      `d_model ${report.dModel} (one direction per value), ${report.graphEdges} edges of which ` +
      `${report.groundTruth.edges.length} are the program's circuit.`;
    this.groups.replaceChildren(...report.layout.map((group) => groupItem(group, nodes)));
    this.element.dataset.directions = String(report.dModel);
    this.element.hidden = false;
  }

  /** Why a model that has a ground truth shows no layout. */
  showError(message: string): void {
    this.clear();
    this.summary.textContent = `No residual layout: ${message}`;
    this.element.hidden = false;
  }

  clear(): void {
    this.element.hidden = true;
    this.groups.replaceChildren();
    this.summary.textContent = '';
  }
}

function groupItem(group: LayoutGroup, nodes: readonly NodeInfo[]): HTMLElement {
  const dirs = el(
    'span',
    { class: 'layout-dirs' },
    ...group.dirs.map((d) => el('code', { class: 'layout-dir', title: `direction ${d.index} of the residual stream` }, d.label)),
  );
  return el(
    'li',
    { class: `layout-group layout-${group.kind}`, 'data-writer': group.writer, 'data-testid': 'layout-group' },
    el('span', { class: 'layout-writer' }, writerLabel(group, nodes)),
    group.op ? el('span', { class: 'layout-op' }, `${group.sop} = ${group.op}`) : null,
    dirs,
  );
}

/**
 * `Token embedding`, `Position embedding`; a head or MLP by its graph node's
 * label (`A0.0`, `MLP 2`), found by hook name and head (the hook name itself
 * when the graph has no such node).
 */
export function writerLabel(group: Pick<LayoutGroup, 'kind' | 'writer' | 'head'>, nodes: readonly NodeInfo[]): string {
  if (group.kind === 'embed') return 'Token embedding';
  if (group.kind === 'pos_embed') return 'Position embedding';
  const node = nodes.find((n) => n.name === group.writer && n.head === group.head);
  return node?.label ?? group.writer;
}
