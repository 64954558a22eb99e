// A τ sweep as a picture: each finished run a point at (edges kept,
// faithfulness), labelled with its τ, the knee ringed. SVG with a text
// alternative that lists the same points.

import { svgEl } from '../dom';
import { formatNumber, type SweepPoint } from './scores';

const W = 320;
const H = 200;
const PAD = { left: 40, right: 12, top: 12, bottom: 32 };

export function sweepPlot(points: readonly SweepPoint[], knee: SweepPoint | null): SVGElement {
  const maxKept = Math.max(1, ...points.map((p) => p.kept));
  const minF = Math.min(0, ...points.map((p) => p.f));
  const maxF = Math.max(1, ...points.map((p) => p.f));
  const x = (kept: number) => PAD.left + (kept / maxKept) * (W - PAD.left - PAD.right);
  const y = (f: number) => H - PAD.bottom - ((f - minF) / (maxF - minF)) * (H - PAD.top - PAD.bottom);
  const sorted = [...points].sort((a, b) => a.kept - b.kept);
  const described = sorted.map((p) => `τ ${p.tau}: ${p.kept} edges, f ${formatNumber(p.f)}`).join('; ');
  const svg = svgEl('svg', {
    class: 'sweep-plot',
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': `Circuit size against faithfulness: ${described}${knee ? `. Knee at τ ${knee.tau}` : ''}`,
    'data-testid': 'sweep-plot',
    'data-points': points.length,
  });
  const axis = (x1: number, y1: number, x2: number, y2: number) => svgEl('line', { x1, y1, x2, y2, class: 'sweep-axis' });
  svg.append(
    axis(PAD.left, H - PAD.bottom, W - PAD.right, H - PAD.bottom),
    axis(PAD.left, PAD.top, PAD.left, H - PAD.bottom),
    svgEl('text', { x: (W + PAD.left) / 2, y: H - 6, 'text-anchor': 'middle', class: 'sweep-label' }, 'edges kept'),
    svgEl('text', { x: 10, y: PAD.top + 4, class: 'sweep-label' }, 'f'),
    svgEl('text', { x: PAD.left - 4, y: y(maxF) + 4, 'text-anchor': 'end', class: 'sweep-tick' }, formatNumber(maxF)),
    svgEl('text', { x: PAD.left - 4, y: y(minF) + 4, 'text-anchor': 'end', class: 'sweep-tick' }, formatNumber(minF)),
    svgEl('text', { x: x(maxKept), y: H - PAD.bottom + 12, 'text-anchor': 'end', class: 'sweep-tick' }, String(maxKept)),
  );
  if (sorted.length > 1) {
    svg.append(svgEl('polyline', { points: sorted.map((p) => `${x(p.kept)},${y(p.f)}`).join(' '), class: 'sweep-line' }));
  }
  for (const p of sorted) {
    svg.append(
      svgEl('circle', { cx: x(p.kept), cy: y(p.f), r: p === knee ? 6 : 3.5, class: p === knee ? 'sweep-point knee' : 'sweep-point' }),
      svgEl('text', { x: x(p.kept) + 6, y: y(p.f) - 6, class: 'sweep-tick' }, `τ ${p.tau}`),
    );
  }
  return svg;
}
