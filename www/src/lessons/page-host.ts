// The lessons' side of one playground: the Lessons menu and panel, the
// inspector under the graph, the page events a lesson waits for, and the
// lesson host (lessons/host.ts) built from the parts playground.ts hands
// over — its page state, the stage, the prompt panel and the RASP editor —
// through their public methods only.

import type { DrawnBox, GraphInfo, GroundTruth } from '../generated/wire';
import type { ModelEntry } from '../models/model-index';
import { isOnRequest } from '../models/model-index';
import type { RaspController } from '../models/rasp-controller';
import type { PageState } from '../state/page-state';
import type { Settings } from '../state/settings';
import type { AcdcStage } from '../views/acdc-stage';
import { Inspector } from '../views/inspector';
import type { PromptPanel } from '../views/prompt-panel';
import type { WorkerClient } from '../worker-client';
import { LessonsController } from './controller';
import type { LessonHost, PageEvent } from './host';

export interface PlaygroundParts {
  state: PageState;
  worker(): WorkerClient;
  stage(): AcdcStage | null;
  prompt: PromptPanel;
  rasp: RaspController;
  /** Loads a shipped model as the picker does. */
  load(entry: ModelEntry): Promise<void>;
  changeSettings(patch: Partial<Settings>): void;
  algorithms(): string[];
}

export class PageLessons {
  readonly inspector: Inspector;
  /** The menu and the lesson's slot (the app page only; null in a compact embed). */
  controller: LessonsController | null = null;
  /** /models/index.json, once read. */
  models: readonly ModelEntry[] = [];
  private graph: GraphInfo | null = null;
  private truth: GroundTruth | null = null;
  private readonly listeners = new Set<(event: PageEvent) => void>();

  constructor(private readonly parts: PlaygroundParts) {
    this.inspector = new Inspector({ client: () => parts.worker(), state: parts.state, graph: () => this.graph });
  }

  /** Offers lessons (the menu, `?lesson=`): the app page, not a compact embed. */
  attach(urlState: boolean): void {
    this.controller = new LessonsController(this.host(), urlState);
  }

  /** The loaded model's graph and ground truth (null: loading), for the stage, the inspector and the lessons. */
  showGraph(graph: GraphInfo | null, truth: GroundTruth | null): void {
    this.graph = graph;
    this.truth = graph ? truth : null;
    this.inspector.setGraph(graph);
    const stage = this.parts.stage();
    if (stage) stage.attention.override = null;
    stage?.setGraph(graph, truth);
  }

  emit(event: PageEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /** The stage's hooks: a head or an edge clicked on the graph opens in the inspector; a drawn frame. */
  stageHooks(): { chosen(box: DrawnBox): void; edgeChosen(edge: number): void; frame(): void } {
    return {
      chosen: (box) => {
        if (box.head !== null) void this.inspector.showHead(box.layer, box.head);
        this.emit({ type: 'head', box });
      },
      edgeChosen: (edge) => {
        void this.inspector.showEdge(edge);
        this.emit({ type: 'edge', edge });
      },
      frame: () => this.emit({ type: 'frame' }),
    };
  }

  private host(): LessonHost {
    const { parts, inspector } = this;
    const { state, prompt, rasp } = parts;
    const stage = () => parts.stage();
    return {
      state,
      client: () => parts.worker(),
      graph: () => this.graph,
      models: () => this.models,
      loadModel: async (id) => {
        const entry = this.models.find((m) => m.id === id);
        if (entry === undefined || isOnRequest(entry) || state.loaded?.entry.id === id) return;
        await parts.load(entry);
      },
      changeSettings: (patch) => parts.changeSettings(patch),
      algorithms: () => parts.algorithms(),
      setPrompt: async (text, predict) => {
        const ids = text === null ? null : (await parts.worker().predict(text, 1)).tokens.map((t) => t.id);
        inspector.setRow(ids);
        const shown = stage();
        if (shown) shown.attention.override = ids;
        if (text === null) return;
        prompt.value = text;
        if (predict) await prompt.submit(text);
      },
      run: () => ({ phase: stage()?.phase ?? 'idle', state: stage()?.runState ?? null, circuit: stage()?.circuit ?? null }),
      startRun: (paused) => stage()?.start(paused),
      stepRun: () => stage()?.step(),
      pauseRun: () => stage()?.pause(),
      resumeRun: () => stage()?.resume(),
      resetRun: () => stage()?.reset(),
      setSpeed: (speed) => stage()?.setSpeed(speed),
      openHead: (layer, head) => {
        stage()?.openHead(layer, head);
        void inspector.showHead(layer, head);
      },
      openEdge: (edge) => void inspector.showEdge(edge),
      openLens: () => void inspector.showLens(),
      highlight: (boxes, edges) => stage()?.graphView.highlight(boxes, edges),
      setProgram: async (source, compile) => {
        rasp.setSource(source);
        if (compile) await rasp.compile(source);
      },
      truth: () => this.truth,
      listen: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      reveal: (what) => {
        const target = { graph: stage()?.element, prompt: prompt.element, inspector: inspector.element, rasp: rasp.element }[what];
        if (target === undefined) return;
        if (target instanceof HTMLDetailsElement) target.open = true;
        target.scrollIntoView({ block: 'center' });
        target.querySelector<HTMLElement>('button:not([disabled]), input, textarea, select')?.focus({ preventScroll: true });
      },
    };
  }
}
