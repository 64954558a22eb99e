// Moving about a large graph: drag its background to pan (the scroller's
// scroll position), Ctrl/⌘ + wheel to zoom around the pointer (a trackpad's
// pinch arrives as that), two fingers to pinch-zoom on a touch screen. A plain
// wheel scrolls as a page does; a drag never counts as a click on an edge.
// Fitting: the room a panel gives the graph, and the zoom that fills it.

/** What the view lends: its zoom, and setting it (it redraws). */
export interface Zoomable {
  zoom(): number;
  setZoom(zoom: number): void;
}

export const MIN_ZOOM = 0.2;
export const MAX_ZOOM = 4;
/** A pointer that moves this far (px) is dragging, not clicking. */
const DRAG_PX = 4;

/**
 * Zooms to `zoom` keeping the graph point under (clientX, clientY) where it is
 * on screen, as far as the scroller can scroll.
 */
export function zoomAround(scroller: HTMLElement, stage: HTMLElement, view: Zoomable, zoom: number, clientX: number, clientY: number): void {
  const before = view.zoom();
  const next = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, zoom));
  if (Math.abs(next - before) < 1e-6) return;
  const rect = stage.getBoundingClientRect();
  const point = { x: (clientX - rect.left) / before, y: (clientY - rect.top) / before };
  view.setZoom(next);
  const after = stage.getBoundingClientRect();
  scroller.scrollLeft += after.left + point.x * next - clientX;
  scroller.scrollTop += after.top + point.y * next - clientY;
}

export function attachPanZoom(scroller: HTMLElement, stage: HTMLElement, view: Zoomable): void {
  scroller.addEventListener(
    'wheel',
    (event) => {
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      zoomAround(scroller, stage, view, view.zoom() * Math.exp(-event.deltaY / 300), event.clientX, event.clientY);
    },
    { passive: false },
  );

  const pointers = new Map<number, { x: number; y: number }>();
  let drag: { x: number; y: number; left: number; top: number; moved: boolean } | null = null;
  let pinch: { distance: number; zoom: number } | null = null;
  /** The click that ends a drag is swallowed (set on pointerup, cleared once that click has passed). */
  let swallow = false;
  const spread = () => {
    const [a, b] = [...pointers.values()];
    return { distance: Math.hypot(a.x - b.x, a.y - b.y), x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  };

  stage.addEventListener('pointerdown', (event) => {
    // Nodes are buttons (a head shows its attention): pan from the background and the edges only.
    if (event.button !== 0 || (event.target instanceof Element && event.target.closest('.node'))) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.size === 2) {
      pinch = { distance: spread().distance, zoom: view.zoom() };
      drag = null;
    } else if (pointers.size === 1) {
      drag = { x: event.clientX, y: event.clientY, left: scroller.scrollLeft, top: scroller.scrollTop, moved: false };
    }
  });
  stage.addEventListener('pointermove', (event) => {
    if (!pointers.has(event.pointerId)) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pinch !== null && pointers.size === 2) {
      const now = spread();
      if (pinch.distance > 0) zoomAround(scroller, stage, view, (pinch.zoom * now.distance) / pinch.distance, now.x, now.y);
      return;
    }
    if (drag === null) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < DRAG_PX) return;
    if (!drag.moved) stage.setPointerCapture(event.pointerId);
    drag.moved = true;
    stage.classList.add('panning');
    scroller.scrollLeft = drag.left - dx;
    scroller.scrollTop = drag.top - dy;
  });
  const end = (event: PointerEvent) => {
    if (drag?.moved) {
      swallow = true;
      setTimeout(() => (swallow = false), 0);
    }
    drag = null;
    pointers.delete(event.pointerId);
    if (pointers.size < 2) pinch = null;
    if (pointers.size === 0) stage.classList.remove('panning');
  };
  stage.addEventListener('pointerup', end);
  stage.addEventListener('pointercancel', end);
  // A drag ends in a click event on whatever is under the pointer: it was not one.
  stage.addEventListener(
    'click',
    (event) => {
      if (!swallow) return;
      event.stopImmediatePropagation();
      event.preventDefault();
    },
    true,
  );
}

/**
 * The room the graph may fill (CSS px): the scroller's width, and its height limit (its
 * max-height; a panel of fixed height, a compact embed, says so with --graph-fit: height).
 */
export function panelRoom(scroller: HTMLElement): { width: number; height: number } {
  const style = getComputedStyle(scroller);
  const maxHeight = style.getPropertyValue('--graph-fit').trim() === 'height' ? scroller.clientHeight : Number.parseFloat(style.maxHeight);
  const width = scroller.clientWidth > 0 ? scroller.clientWidth : 640;
  return { width, height: Number.isFinite(maxHeight) && maxHeight > 0 ? maxHeight : width / 1.6 };
}

/** The zoom that fits `size` into `room` (a pixel short of it, so no scroll bar appears), at most 150 %. */
export function fitZoom(size: { width: number; height: number }, room: { width: number; height: number }): number {
  return Math.max(MIN_ZOOM, Math.min(1.5, (room.width - 1) / size.width, (room.height - 1) / size.height));
}
