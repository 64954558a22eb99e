// The graph as a file: a standalone SVG (nodes and edges as the page draws
// them, removed edges left out once faded) and a PNG rendered from it; and the
// download of any blob. Nothing is fetched: the PNG is drawn from a blob: URL.

import type { GraphLayout } from '../generated/wire';
import { Fate, type RunState } from '../state/run-state';
import { edgePath, edgeStyle, type Palette, type ScorePaint, type Verdicts } from './paint';

/** The graph view as an export draws it (GraphView.exported; `truth`, `scores`: what is painted now, else null). */
export interface ExportedView {
  layout: GraphLayout;
  palette: Palette;
  truth: Verdicts | null;
  scores: ScorePaint | null;
}

export interface ExportColors {
  background: string;
  text: string;
  node: string;
  nodeBorder: string;
}

/**
 * The graph as an SVG document; `circuitOnly` leaves out removed edges and
 * dead nodes; `truth` colours edges as the ground-truth overlay does;
 * `scores` paints an attribution run's scores (and cut) instead of the run.
 */
export function graphSvg(
  layout: GraphLayout,
  state: RunState | null,
  palette: Palette,
  colors: ExportColors,
  circuitOnly: boolean,
  truth: Verdicts | null = null,
  scores: ScorePaint | null = null,
): string {
  // Long after any fade: removed edges at their final faintness.
  const options = { palette, circuitOnly, now: Number.MAX_SAFE_INTEGER, truth, scores };
  const alive = new Uint8Array(layout.boxes.length);
  const edges: string[] = [];
  const order = [...layout.edges].sort((a, b) => rank(a.id, state) - rank(b.id, state));
  for (const e of order) {
    const present = scores
      ? scores.kept === null || scores.kept[e.id] === 1 || scores.other?.[e.id] === 1
      : state === null || state.present(e.id);
    if (present) {
      alive[e.senderBox] = 1;
      alive[e.receiverBox] = 1;
    }
    const style = edgeStyle(e, state, options);
    if (style === null) continue;
    edges.push(
      `<path d="${edgePath(e)}" stroke="${style.color}" stroke-width="${style.width.toFixed(2)}" stroke-opacity="${style.alpha.toFixed(2)}"/>`,
    );
  }
  const nodes = layout.boxes
    .map((box, i) => {
      if (circuitOnly && alive[i] === 0) return '';
      const dim = alive[i] === 0 ? ' opacity="0.4"' : '';
      return (
        `<g${dim}><rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="5" fill="${colors.node}" stroke="${colors.nodeBorder}"/>` +
        `<text x="${box.x + box.w / 2}" y="${box.y + box.h / 2}" text-anchor="middle" dominant-baseline="central">${escape(box.label)}</text></g>`
      );
    })
    .join('');
  const headers = layout.columns
    .map((c) => `<text x="${c.x}" y="24" text-anchor="middle" opacity="0.7">${escape(c.label)}</text>`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}">` +
    `<rect width="100%" height="100%" fill="${colors.background}"/>` +
    `<g fill="none" stroke-linecap="round">${edges.join('')}</g>` +
    `<g font-family="system-ui, sans-serif" font-size="12" fill="${colors.text}">${headers}${nodes}</g>` +
    `</svg>`
  );
}

function rank(e: number, state: RunState | null): number {
  const fate = state?.fate[e] ?? Fate.Untested;
  return fate === Fate.Kept ? 2 : fate === Fate.Untested ? 1 : 0;
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders an SVG document to a PNG at `scale`× its size. */
export async function svgToPng(svg: string, width: number, height: number, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(width * scale);
    canvas.height = Math.ceil(height * scale);
    const ctx = canvas.getContext('2d');
    if (ctx === null) throw new Error('no 2D canvas to draw the PNG on');
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the PNG could not be encoded'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Saves `blob` as `name` through the browser's download. */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
