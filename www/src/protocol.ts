// The worker protocol, defined once for both sides
// (docs/worker-protocol.md#the-worker-protocol). Every request carries an
// `id`; the worker answers it with zero or more interim messages and then
// exactly one terminal message — its result or an `error` — carrying the same
// `id` (web-llm's `web_worker.ts` discipline). Both sides narrow on `type`;
// nothing here is cast. A `run` is the one long request: `started`, then
// `events` batches, then `done`, `cancelled` or `error`; `control` requests
// steer it by its id and are answered at once.
//
// The messages are written here by hand (they exist only in TypeScript); the
// data they carry are the wasm API's shapes, generated from the Rust types
// (generated/wire.ts).


export * from './protocol/common';
export * from './protocol/requests';
export * from './protocol/responses';
