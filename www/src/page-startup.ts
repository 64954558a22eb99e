// What a playground does to get going, and again after its worker crashed:
// start a backend (WebGPU or the CPU; an embed left to choose takes the CPU
// where WebGPU is software-emulated or slow, state/gpu-probe.ts) and list the
// tasks. Each shows what went wrong and answers false instead of throwing.
// After a crash, `recover` brings a fresh worker back to the model it had.

import { codeOf, messageOf } from './errors';
import { isOnRequest, pickModel, type ModelEntry } from './models/model-index';
import type { ErrorCode } from './protocol';
import type { Options } from './state/element-options';
import { probeGpu } from './state/gpu-probe';
import { CUSTOM_TASK_INFO } from './state/custom-task';
import type { PageState } from './state/page-state';
import type { BackendBadge } from './views/backend-badge';
import type { WorkerClient } from './worker-client';

export interface StartupHost {
  worker(): WorkerClient;
  state: PageState;
  badge: BackendBadge;
  options: Options | null;
  showError(code: ErrorCode, message: string): void;
}

/**
 * Starts the worker's backend; false (after showing why) when none could be started.
 * After a lost GPU device (`gpuLost`) a new one is tried, and the CPU taken if none can be had.
 */
export async function startBackend(host: StartupHost, gpuLost = false): Promise<boolean> {
  try {
    let prefer = host.options?.backend ?? 'auto';
    if (gpuLost && prefer === 'webgpu') prefer = 'auto';
    let why: string | null = null;
    if (host.options?.compact && prefer === 'auto') {
      const verdict = await probeGpu();
      if (verdict.cpu) {
        prefer = 'cpu';
        why = verdict.reason;
      }
    }
    const ready = await host.worker().init(prefer, host.options?.threads ?? undefined);
    const reason = ready.backend === 'cpu' && why !== null ? why : ready.reason;
    host.badge.show(
      ready.backend,
      gpuLost && ready.backend === 'cpu' ? `the GPU device was lost and no new one could be had (${reason})` : reason,
      ready.threads,
      ready.oneThreadWhy,
    );
    host.state.update({ backend: ready.backend });
    return true;
  } catch (error) {
    host.badge.showFailed(messageOf(error));
    host.showError(codeOf(error, 'backend'), messageOf(error));
    return false;
  }
}

/**
 * Lets the worker fetch the shipped model the page will load (`wanted`, else the default) while
 * its module still compiles: the files arrive in parallel with the backend, not after it.
 */
export function prefetchModel(host: StartupHost, index: ModelEntry[], wanted: string | null, edited: string): ModelEntry[] {
  const entry = wanted === edited ? undefined : pickModel(index, wanted);
  if (entry !== undefined && !isOnRequest(entry)) host.worker().prefetch(entry.id);
  return index;
}

/** The crate's tasks and a person's own (`custom`) into the page state; false when they could not be listed. */
export async function listTasks(host: StartupHost): Promise<boolean> {
  try {
    host.state.update({ tasks: [...(await host.worker().tasks()), CUSTOM_TASK_INFO] });
    return true;
  } catch (error) {
    host.showError(codeOf(error, 'task'), `could not list the tasks: ${messageOf(error)}`);
    return false;
  }
}

/**
 * The fresh worker after a crash (`alive`: the client started one): its backend, the tasks, then
 * the model the dead one had (`reload`; null: none). A client that gave up says the worker is down.
 */
export async function recover(host: StartupHost, alive: boolean, reload: (() => Promise<unknown>) | null, settle: () => void, gpuLost = false): Promise<void> {
  if (!alive) {
    host.badge.showFailed('the worker is down');
    settle();
  } else if ((await startBackend(host, gpuLost)) && (await listTasks(host)) && reload) {
    await reload();
  }
}
