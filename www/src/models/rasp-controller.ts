// The RASP editor's side of the page: the shipped programs as examples, and a
// compile that, when the program compiles, makes its model the current one
// (with its residual layout shown and its ground truth handed to the graph)
// and opens it with its own task. A program that does not compile is pointed
// at in the editor and changes nothing else. One input can be run through the
// program and its model side by side.

import { el } from '../dom';
import { messageOf } from '../errors';
import type { Loaded, ModelHost } from './model-host';
import type { ModelEntry } from './model-index';
import type { CompileReport, GraphInfo, GroundTruth, ModelInfo } from '../generated/wire';
import { InputRunView } from '../views/input-run';
import { RaspEditor } from '../views/rasp-editor';
import { ResidualLayout } from '../views/residual-layout';

/** The model id of an edited program (crate/src/rasp/report.rs EDITED_NAME); a link naming it recompiles the saved text. */
export const EDITED_MODEL = 'rasp-program';

export class RaspController {
  private readonly editor = new RaspEditor(
    (source) => void this.compile(source),
    () => this.host.runAcdc?.(),
  );
  private readonly layout = new ResidualLayout();
  private readonly tryInput = new InputRunView((input) => void this.runInput(input));
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
    this.tryInput.element,
    this.layout.element,
  );

  constructor(private readonly host: ModelHost) {}

  /** The shipped programs (models/<id>/program.rasp) become the examples. */
  setExamples(index: ModelEntry[]): void {
    this.editor.setExamples(index.flatMap((m) => (m.program === null ? [] : [{ id: m.id, source: m.program }])));
  }

  setEnabled(enabled: boolean): void {
    this.editor.setEnabled(enabled);
    this.tryInput.setEnabled(enabled);
  }

  /** "Run ACDC" beside Compile: a run may start and the current model is a compiled one. */
  setRunEnabled(ready: boolean): void {
    const loaded = this.host.state.loaded;
    this.editor.setRunEnabled(ready && loaded !== null && (loaded.report !== undefined || loaded.entry.hasGroundTruth === true));
  }

  /** Opens the editor with `source` in it. */
  setSource(source: string): void {
    this.element.setAttribute('open', '');
    this.editor.load(source);
  }

  /**
   * Opens the panel and compiles what the editor holds, keeping the link's
   * settings (a link to an edited program); false when it did not compile.
   */
  async compileSaved(): Promise<boolean> {
    this.element.setAttribute('open', '');
    return this.compile(this.editor.source, false);
  }

  /**
   * Compiles `source`; true when its model is the current one now. `ownTask`:
   * open it with its own task and that task's settings (a fresh compile).
   */
  async compile(source: string, ownTask = true): Promise<boolean> {
    if (this.host.state.busy) return false;
    let compiled = false;
    this.host.clearErrors();
    this.editor.showNote('Compiling…');
    await this.host.changeModel('Compiling the RASP program…', async (): Promise<Loaded | null> => {
      const result = await this.host.client().compileRasp(source);
      if (!result.ok) {
        this.editor.showError(result.error);
        return null;
      }
      const { report, info } = result;
      this.tryInput.suggest(exampleInput(report));
      this.editor.showNote(`Compiled: ${report.name} is the current model.`);
      compiled = true;
      return {
        entry: compiledEntry(report, info, source),
        info,
        source: 'the RASP editor',
        truth: report.groundTruth,
        report,
        task: ownTask ? report.tasks[0] : undefined,
        reload: async () => void (await this.compile(source, false)),
      };
    });
    this.host.compiled?.(source, compiled);
    return compiled;
  }

  /**
   * Shows the residual layout of the model just loaded, its heads and MLPs
   * named as in `graph`: a program compiled here from its report, a shipped
   * compiled model (`tracr-*`) from its ground truth; clears the view for a
   * model without one. A layout that cannot be read says why in the view.
   */
  async showLayout({ entry, report }: Loaded, graph: GraphInfo, truth: GroundTruth | null): Promise<void> {
    this.layout.clear();
    if (!report && truth !== null) this.editor.showLoaded(entry.id);
    if (report) {
      this.layout.show(report, graph.nodes);
      return;
    }
    if (truth === null) return;
    try {
      const layout = await this.host.client().raspLayout(truth);
      const n = (key: string) => Number(entry.config[key]);
      const summary = {
        name: entry.id,
        nLayers: n('n_layers'),
        nHeads: n('n_heads'),
        dModel: n('d_model'),
        graphEdges: graph.counts.edges,
        layout,
        groundTruth: truth,
      };
      this.layout.show(summary, graph.nodes);
    } catch (error) {
      this.layout.showError(messageOf(error));
    }
  }

  /** The program in the editor and its model on `input`. */
  private async runInput(input: string): Promise<void> {
    try {
      this.tryInput.show(await this.host.client().raspRun(this.editor.source, input));
    } catch (error) {
      this.tryInput.showError(messageOf(error));
    }
  }
}

/** Up to four tokens of the vocabulary, last first (reverse's "3 2 1"): an input to try. */
function exampleInput(report: CompileReport): string {
  const vocab = report.groundTruth.residual.filter((l) => l.startsWith('tokens:') && l !== 'tokens:BOS').map((l) => l.slice(7));
  return vocab.slice(-4).reverse().join(' ');
}

/** A model-list entry for a compiled model (it is in no index). */
function compiledEntry(report: CompileReport, info: ModelInfo, source: string): ModelEntry {
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
