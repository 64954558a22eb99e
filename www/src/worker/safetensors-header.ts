// What a safetensors file holds, from its header alone (8-byte little-endian
// length, then JSON {name: {dtype, shape, data_offsets}}), without reading the
// data: the worker uses it to tell, before loading, whether the WebGPU device
// can hold the largest tensor. Pure: no DOM, no wasm.

export interface TensorSize {
  name: string;
  /** Bytes once loaded: every tensor becomes f32. */
  bytes: number;
}

/** The tensor that takes the most memory as f32; null when `file` is not a readable safetensors file. */
export function largestTensor(file: Uint8Array): TensorSize | null {
  if (file.byteLength < 8) return null;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const length = Number(view.getBigUint64(0, true));
  if (length <= 0 || length > file.byteLength - 8 || length > 100 * 1024 * 1024) return null;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + length)));
  } catch {
    return null;
  }
  if (typeof header !== 'object' || header === null) return null;
  let largest: TensorSize | null = null;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__' || typeof info !== 'object' || info === null || !('shape' in info)) continue;
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number')) continue;
    const bytes = 4 * shape.reduce((n: number, d: number) => n * d, 1);
    if (largest === null || bytes > largest.bytes) largest = { name, bytes };
  }
  return largest;
}

/** "154.4 MB" / "128 MiB"-style sizes for messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`;
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
