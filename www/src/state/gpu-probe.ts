// Whether WebGPU is worth it for an embed: a software-emulated adapter
// (SwiftShader, Chromium's CPU Vulkan, says `isFallbackAdapter`) runs the
// model slower than the CPU backend, and an adapter or device that takes long
// to come up delays the demo. The embed asks the page's own `navigator.gpu`
// once, before its worker chooses; the worker then gets "cpu" or "auto".

/** What the probe found: use the CPU, and why (null reason: WebGPU looks fine). */
export interface GpuVerdict {
  cpu: boolean;
  reason: string | null;
}

/** How long an adapter and a device may take to start before the CPU is preferred (ms). */
export const GPU_START_BUDGET_MS = 1500;

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; architecture?: string; vendor?: string };
  requestDevice(): Promise<{ destroy(): void }>;
}

interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

/** A promise of 'late' after `ms` (to race a WebGPU start against), and how to call it off. */
export function deadline(ms: number): { late: Promise<'late'>; clear(): void } {
  let timer = 0;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms) as unknown as number;
  });
  return { late, clear: () => clearTimeout(timer) };
}

/** Probes `gpu` (default: this page's navigator.gpu) within `budget` ms. */
export async function probeGpu(gpu: GpuLike | undefined = navigatorGpu(), budget = GPU_START_BUDGET_MS): Promise<GpuVerdict> {
  if (gpu === undefined) return { cpu: false, reason: null };
  const { late, clear } = deadline(budget);
  try {
    const adapter = await Promise.race([gpu.requestAdapter(), late]);
    if (adapter === 'late') return { cpu: true, reason: `WebGPU took over ${budget / 1000} s to start: running on the CPU` };
    if (adapter === null) return { cpu: true, reason: 'no WebGPU adapter: running on the CPU' };
    const fallback = adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
    const software = fallback || adapter.info?.architecture === 'swiftshader';
    if (software) {
      return { cpu: true, reason: 'WebGPU is software-emulated here (a fallback adapter): the CPU backend is faster' };
    }
    const device = await Promise.race([adapter.requestDevice(), late]);
    if (device === 'late') return { cpu: true, reason: `WebGPU took over ${budget / 1000} s to start: running on the CPU` };
    device.destroy();
    return { cpu: false, reason: null };
  } catch {
    return { cpu: true, reason: 'WebGPU failed to start: running on the CPU' };
  } finally {
    clear();
  }
}

/** `navigator.gpu` of a page or a worker (their libs type `navigator` differently; neither has WebGPU's types). */
export function navigatorGpu(): GpuLike | undefined {
  const nav = typeof navigator === 'undefined' ? undefined : (navigator as { gpu?: GpuLike });
  return nav?.gpu;
}
