// What requests and responses share.



/**
 * data.json as the CLI reads it (`circuitscope acdc|attribute --data`; docs/formats.md#datajson):
 * what `Session.customData` makes of a person's own rows. The crate's `AcdcData`, which the
 * generated types do not carry.
 */
export interface AcdcData {
  clean: number[][];
  corrupt: number[][];
  positions?: number[][] | null;
  correct?: (number | number[])[] | null;
  wrong?: (number | number[])[] | null;
  pos_embed_perm?: number[] | null;
}

/** The burn device the wasm module runs on. */
export type Backend = 'webgpu' | 'cpu';

/** What the page asks for; "auto" tries WebGPU, then falls back to the CPU. */
export type BackendPreference = 'auto' | Backend;
