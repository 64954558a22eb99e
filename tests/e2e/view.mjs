// What the layout tests share: whether an element is on screen, the element
// that has the keyboard (inside the playground's shadow root), the tooltip
// shown over an edge, the rendered size of text, the layout shifts a page
// went through, and the words the page should use for an edge of circuit.json.

import assert from 'node:assert/strict';
import { format } from 'd3-format';

/**
 * Asserts that `locator`'s box lies inside the viewport (without scrolling).
 * @param {import('playwright-core').Page} page
 * @param {import('playwright-core').Locator} locator
 */
export async function assertInViewport(page, locator, what, slack = 1) {
  const box = await locator.boundingBox();
  assert.ok(box, `${what}: not rendered`);
  const vp = page.viewportSize();
  assert.ok(vp, 'no viewport');
  const inside =
    box.x >= -slack && box.y >= -slack && box.x + box.width <= vp.width + slack && box.y + box.height <= vp.height + slack;
  assert.ok(inside, `${what} is not inside the ${vp.width}×${vp.height} viewport: ${JSON.stringify(box)}`);
  return box;
}

/**
 * The element that has the keyboard, looking into shadow roots: its test id,
 * else its id, else its tag.
 * @param {import('playwright-core').Page} page
 */
export function focused(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    if (!a || a === document.body) return 'body';
    return a.getAttribute('data-testid') ?? (a.id || a.tagName.toLowerCase());
  });
}

/**
 * Moves the mouse over `scope`'s graph, from `from` ('right' or 'left'), until
 * the tooltip describes an edge; returns its box and what it says.
 * @param {import('playwright-core').Page} page
 * @param {import('playwright-core').Page | import('playwright-core').Locator} scope
 */
export async function hoverAnEdge(page, scope, from = 'right') {
  const graph = scope.getByTestId('graph');
  const box = await graph.boundingBox();
  assert.ok(box, 'the graph is not rendered');
  const tooltip = scope.getByTestId('tooltip');
  const vp = page.viewportSize();
  const bottom = Math.min(box.y + box.height, vp?.height ?? 900) - 4;
  const xs = [];
  for (let f = 0.97; f > 0.03; f -= 0.015) xs.push(from === 'right' ? box.x + box.width * f : box.x + box.width * (1 - f));
  for (const x of xs) {
    for (let y = box.y + 30; y < bottom; y += 23) {
      await page.mouse.move(x, y);
      const edge = await tooltip.evaluate((t) => (t.hasAttribute('hidden') ? null : (t.getAttribute('data-edge') ?? null)));
      if (edge !== null) {
        return {
          edge,
          at: { x, y },
          box: await tooltip.boundingBox(),
          paragraphs: await tooltip.locator('p').allInnerTexts(),
          hovered: await scope.getByTestId('graph-panel').getAttribute('data-hovered'),
        };
      }
    }
  }
  throw new Error('no edge under the pointer anywhere on the graph');
}

/**
 * The on-screen font size (px) of every text matching `selector` in the
 * playground's shadow root (SVG text scaled by its transform).
 * @param {import('playwright-core').Page | import('playwright-core').Locator} scope
 * @returns {Promise<{text: string, px: number, cls: string}[]>}
 */
export async function textSizes(scope, selector) {
  const host = 'locator' in scope ? scope.locator('circuit-playground').first() : scope;
  return host.evaluate((el, sel) => {
    const root = /** @type {ShadowRoot | Document} */ (el.shadowRoot ?? el.getRootNode());
    return Array.from(root.querySelectorAll(sel))
      .filter((t) => t.getClientRects().length > 0)
      .map((t) => {
        let scale = 1;
        if (t instanceof SVGGraphicsElement) scale = t.getScreenCTM()?.a ?? 1;
        return { text: (t.textContent ?? '').trim().slice(0, 24), px: parseFloat(getComputedStyle(t).fontSize) * scale, cls: t.getAttribute('class') ?? '' };
      });
  }, selector);
}

/** Records layout shifts from the start of every page of the context (call before goto). */
export async function recordLayoutShifts(page) {
  await page.addInitScript(() => {
    // @ts-ignore
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        // @ts-ignore: LayoutShift
        window.__shifts.push({ value: e.value, input: e.hadRecentInput, at: e.startTime });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/** The cumulative layout shift so far, shifts right after an input excluded (as CLS does). */
export function layoutShift(page) {
  return page.evaluate(() =>
    // @ts-ignore
    window.__shifts.filter((s) => !s.input).reduce((sum, s) => sum + s.value, 0),
  );
}

const PORT = { q: 'query', k: 'key', v: 'value' };

/** A node of circuit.json as the page labels its box: "A1.3", "MLP 0", "embed", "logits". */
export function boxLabel(name, head) {
  let m;
  if (/^blocks\.0\.hook_resid_pre$/.test(name)) return 'embed';
  if (name === 'hook_embed') return 'embed';
  if (name === 'hook_pos_embed') return 'pos';
  if (/hook_resid_post$/.test(name)) return 'logits';
  if ((m = /^blocks\.(\d+)\.hook_mlp_(in|out)$/.exec(name))) return `MLP ${m[1]}`;
  if ((m = /^blocks\.(\d+)\.(attn\.hook_(result|[qkv])|hook_[qkv]_input)$/.exec(name))) return `A${m[1]}.${head}`;
  throw new Error(`no label for ${name}`);
}

/** An edge of circuit.json (`tested`, `kept`) in the page's words: "A0.2 → A1.3’s key". */
export function edgeWords(e) {
  let m;
  if ((m = /^blocks\.\d+\.attn\.hook_([qkv])$/.exec(e.receiver))) {
    return `${boxLabel(e.receiver, e.receiver_head)}’s ${PORT[m[1]]} input → ${PORT[m[1]]}`;
  }
  const sender = boxLabel(e.sender, e.sender_head);
  if ((m = /^blocks\.\d+\.hook_([qkv])_input$/.exec(e.receiver))) return `${sender} → ${boxLabel(e.receiver, e.receiver_head)}’s ${PORT[m[1]]}`;
  return `${sender} → ${boxLabel(e.receiver, e.receiver_head)}`;
}

/** The heads a circuit's kept edges touch, as the page names them, in layer and head order. */
export function circuitHeads(circuit) {
  const heads = new Set();
  for (const e of circuit.kept) {
    for (const [name, head] of [
      [e.sender, e.sender_head],
      [e.receiver, e.receiver_head],
    ]) {
      if (head !== null) heads.add(boxLabel(name, head));
    }
  }
  const key = (h) => h.slice(1).split('.').map(Number);
  return [...heads].sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]);
}

/** How the page writes a number in prose: 3 significant digits, "−" for minus. */
export const prose = (n) => format('.3~g')(n).replaceAll('-', '\u2212');
/** The same with its sign: "+0.31". */
export const proseDelta = (n) => format('+.3~g')(n).replaceAll('-', '\u2212');
