// Notices a worker that died without a word (terminated, its process killed,
// hung in a loop): a dead worker posts no `error` event, and the page would
// wait for its answers forever. While a request is outstanding the client
// pings the worker (`ping`, answered outside the wasm lock); a ping left
// unanswered for too long, with nothing else heard since it was sent, means
// the worker is gone.
//
// A worker inside one wasm call cannot answer until the call returns, so the
// limit must outlast the longest legitimate call: a pass of GPT-2 small on the
// CPU takes seconds, loading its weights longer. It is the larger of a floor
// (longer while a model loads) and LIMIT_FACTOR times the longest silence
// heard from this worker so far outside loads. It is measured from the unanswered ping, not
// from the last message, so a hidden tab's throttled timers (a tick a minute)
// make it late, never early.

/** The shortest silence taken for death while a run or an inspection is outstanding. */
export const WATCHDOG_FLOOR_MS = 60_000;
/** While a model loads or a backend starts: one wasm call parses or uploads all the weights. */
export const WATCHDOG_LOAD_FLOOR_MS = 300_000;
/** The limit is at least this many times the longest silence heard so far. */
const LIMIT_FACTOR = 10;
/** How often the watchdog looks (and pings). */
const TICK_MS = 2_000;

export interface WatchdogHost {
  /** Posts a `ping` (its answer, as every message, comes back through `heard`). */
  ping(): void;
  /** Whether a request is outstanding, and whether one is a load (the long floor). */
  waiting(): 'none' | 'request' | 'load';
  /** The worker is taken for dead after `silentMs` of silence. */
  dead(silentMs: number): void;
}

export class Watchdog {
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastHeard = performance.now();
  /** When the ping now unanswered was sent (null: none is). */
  private pingSent: number | null = null;
  private longestSilence = 0;

  /** @param floorMs the floor outside loads; tests shorten it (test-hooks.ts). */
  constructor(
    private readonly host: WatchdogHost,
    private readonly floorMs = WATCHDOG_FLOOR_MS,
  ) {}

  /** A request was sent: watch until none is outstanding. */
  arm(): void {
    if (this.timer !== null) return;
    this.lastHeard = performance.now();
    this.pingSent = null;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Any message from the worker: it is alive. */
  heard(): void {
    const now = performance.now();
    // Learnt outside loads only: a load has its own floor, and its one long call says nothing of a run's.
    if (this.timer !== null && this.host.waiting() === 'request') this.longestSilence = Math.max(this.longestSilence, now - this.lastHeard);
    this.lastHeard = now;
    this.pingSent = null;
  }

  /** The worker was replaced (or closed): a fresh one has no history. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.pingSent = null;
    this.longestSilence = 0;
  }

  private tick(): void {
    const waiting = this.host.waiting();
    if (waiting === 'none') {
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    const now = performance.now();
    if (this.pingSent === null) {
      this.pingSent = now;
      this.host.ping();
      return;
    }
    const floor = waiting === 'load' ? Math.max(this.floorMs, WATCHDOG_LOAD_FLOOR_MS) : this.floorMs;
    const limit = Math.max(floor, LIMIT_FACTOR * this.longestSilence);
    const silent = now - this.pingSent;
    if (silent > limit) {
      this.stop();
      this.host.dead(silent);
    }
  }
}
