// Building DOM without a framework: `el('p', {class: 'card'}, 'text', child)`.

type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes and children. Attribute values are set
 * with `setAttribute` (so `data-testid` and `aria-*` work as written);
 * `false`/null/undefined attributes and children are skipped.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | null | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.filter((c): c is Node | string => typeof c === 'string' || c instanceof Node));
  return element;
}

/** The same for SVG: `svgEl('path', {d: 'M0 0'})`. */
export function svgEl(
  tag: string,
  attributes: Record<string, string | number | null | undefined> = {},
  ...children: (Node | string)[]
): SVGElement {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  element.append(...children);
  return element;
}
