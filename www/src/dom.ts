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
