// On WebGPU, a model whose largest tensor is more than one buffer of this
// device may hold is refused before loading, with a hint to use the CPU.
// burn's wgpu runtime asks the adapter for its own limits, not WebGPU's
// defaults (128 MiB per binding, less than GPT-2 small's 154 MB embedding),
// so this only fires on devices that really are that small.

import { RequestError } from '../errors';
import { onWebGpu } from './backend';
import { formatBytes, largestTensor } from './safetensors-header';

interface GpuLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** Bytes the WebGPU device takes in one buffer (null when unknown); asked once. */
let gpuBufferLimit: Promise<number | null> | null = null;

/** Throws a `load` error when the WebGPU device cannot hold `weights`' largest tensor. */
export async function checkDeviceFits(weights: Uint8Array): Promise<void> {
  if (!(await onWebGpu())) return;
  const largest = largestTensor(weights);
  if (largest === null) return;
  gpuBufferLimit ??= adapterBufferLimit();
  const limit = await gpuBufferLimit;
  if (limit === null || largest.bytes <= limit) return;
  throw new RequestError(
    'load',
    `the WebGPU device refuses this model: its largest tensor, ${largest.name} (${formatBytes(largest.bytes)} as f32), ` +
      `is more than the ${formatBytes(limit)} this device allows in one buffer. ` +
      'Reload the page with ?backend=cpu to run it on the CPU.',
  );
}

async function adapterBufferLimit(): Promise<number | null> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<{ limits: GpuLimits } | null> } }).gpu;
  try {
    const adapter = await gpu?.requestAdapter();
    if (!adapter) return null;
    return Math.min(adapter.limits.maxStorageBufferBindingSize, adapter.limits.maxBufferSize);
  } catch {
    return null;
  }
}
