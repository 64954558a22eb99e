// How a token's text is shown: whitespace and control characters made visible,
// so " the" and "the" (or "\n") are told apart at a glance.

const VISIBLE: Record<string, string> = { ' ': '␣', '\n': '↵', '\t': '⇥', '\r': '␍' };

export function visibleToken(text: string): string {
  if (text === '') return '∅';
  return text.replace(/[ \n\t\r]/g, (c) => VISIBLE[c] ?? c);
}
