// <circuit-playground>'s styles in cascade order, one file per part of the
// page (base: the host's variables and the page; panels: buttons, fields,
// panels; workbench: the settings, the run bar, the stage, the explanation;
// graph: the graph, charts, attention, comparison; narrow: smaller screens;
// compact: embeds), then the RASP editor's, the attribution side's and the
// lessons'. Adopted by the playground's shadow root.

import attribution from '../attribution.css?inline';
import lessons from '../lessons/lessons.css?inline';
import questions from '../lessons/questions.css?inline';
import rasp from '../rasp.css?inline';
import base from './base.css?inline';
import compact from './compact.css?inline';
import graph from './graph.css?inline';
import narrow from './narrow.css?inline';
import panels from './panels.css?inline';
import workbench from './workbench.css?inline';

export const PAGE_CSS = [base, panels, workbench, graph, narrow, compact, rasp, attribution, lessons, questions].join('\n');

let sheet: CSSStyleSheet | null = null;

/** PAGE_CSS as one constructed sheet, shared by every playground's shadow root. */
export function pageStyleSheet(): CSSStyleSheet {
  if (sheet === null) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(PAGE_CSS);
  }
  return sheet;
}
