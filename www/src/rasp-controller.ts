// The RASP editor's side of the page: the shipped programs as examples, and a
// compile that, when the program compiles, makes its model the current one
// (with its residual layout shown and its ground truth handed to the graph)
// and opens it with its own task. A program that does not compile is pointed
// at in the editor and changes nothing else.

import { el } from './dom';
import type { Loaded, ModelHost } from './model-host';
import type { ModelEntry } from './models';
import type { SessionInfo } from './protocol';
import type { CompileReport } from './rasp-types';
import { RaspEditor } from './views/rasp-editor';
import { ResidualLayout } from './views/residual-layout';

/** The model id of an edited program (crate/src/rasp/report.rs EDITED_NAME); a link naming it recompiles the saved text. */
export const EDITED_MODEL = 'rasp-program';

export class RaspController {
  private readonly editor = new RaspEditor((source) => void this.compile(source));
  private readonly layout = new ResidualLayout();
  readonly element = el(
    'details',
    { class: 'panel rasp-panel', 'data-testid': 'rasp-panel' },
    el('summary', {}, 'RASP → transformer: compile a program, then find its circuit'),
    el(
      'p',
      { class: 'rasp-intro' },
      'A RASP program compiles to weights (tracr), so its circuit is known exactly. Compile one, run ACDC with ' +
        'zero ablation and the L2 metric, and the graph shows which ground-truth edges it found, missed or added.',
    ),
    this.editor.element,
    this.layout.element,
  );

  constructor(private readonly host: ModelHost) {}

  /** The shipped programs (models/<id>/program.rasp) become the examples. */
  setExamples(index: ModelEntry[]): void {
    this.editor.setExamples(index.flatMap((m) => (m.program === null ? [] : [{ id: m.id, source: m.program }])));
  }

  setEnabled(enabled: boolean): void {
    this.editor.setEnabled(enabled);
  }

  /** Opens the panel and compiles what the editor holds (a link to an edited program). */
  async compileSaved(): Promise<void> {
    this.element.setAttribute('open', '');
    await this.compile(this.editor.source);
  }

  async compile(source: string): Promise<void> {
    if (this.host.busy()) return;
    this.host.clearErrors();
    this.editor.showNote('Compiling…');
    await this.host.changeModel('Compiling the RASP program…', async (): Promise<Loaded | null> => {
      const result = await this.host.client().compileRasp(source);
      if (!result.ok) {
        this.editor.showError(result.error);
        return null;
      }
      const { report, info } = result;
      this.layout.show(report);
      this.editor.showNote(`Compiled: ${report.name} is the current model.`);
      return {
        entry: compiledEntry(report, info, source),
        info,
        source: 'the RASP editor',
        truth: report.groundTruth,
        task: report.tasks[0],
        reload: () => this.compile(source),
      };
    });
  }
}

/** A model-list entry for a compiled model (it is in no index). */
function compiledEntry(report: CompileReport, info: SessionInfo, source: string): ModelEntry {
  return {
    id: report.name,
    name: report.name,
    config: info.config,
    hasTokenizer: true,
    card: `Compiled in the page from the RASP program in the editor: ${report.groundTruth.edges.length} of its ${report.graphEdges} edges are its circuit.`,
    weightsBytes: null,
    remote: null,
    program: source,
    hasGroundTruth: true,
  };
}
