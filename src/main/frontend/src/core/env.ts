/**
 * Everything the client touches in the outside world. Tests inject fakes so
 * that time, randomness, sockets and browser events are fully deterministic.
 */

/**
 * The subset of the browser WebSocket the client uses. Handler parameters are
 * `any` so the DOM WebSocket (whose handlers take full Event objects) fits;
 * the client only reads `data`, `code` and `reason`.
 */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: any) => unknown) | null;
  onmessage: ((ev: any /* { data: unknown } */) => unknown) | null;
  onclose: ((ev: any /* { code: number; reason: string } */) => unknown) | null;
  onerror: ((ev: any) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketConstructor = new (url: string) => SocketLike;

/** Anything with add/removeEventListener, e.g. `window` or `document`. */
export interface EventSourceLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface VisibilitySource extends EventSourceLike {
  readonly visibilityState: string;
}

export type TimerHandle = unknown;

export interface TaskSyncEnv {
  WebSocket: SocketConstructor;
  /** Used by the SSE transport. */
  fetch: typeof fetch;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Uniform in [0, 1). */
  random(): number;
  now(): number;
  /** Source of `online` / `offline` events (window); null to ignore them. */
  network: EventSourceLike | null;
  /** Source of `visibilitychange` (document); null to ignore it. */
  visibility: VisibilitySource | null;
  /** navigator.onLine; only a hint, see the client for why it is never trusted blindly. */
  isOnline(): boolean;
}

export const READY_STATE = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

/** Browser defaults for every field not overridden. */
export function resolveEnv(overrides: Partial<TaskSyncEnv> = {}): TaskSyncEnv {
  const g = globalThis as any;
  const pick = <K extends keyof TaskSyncEnv>(key: K, fallback: TaskSyncEnv[K]): TaskSyncEnv[K] =>
    overrides[key] !== undefined ? (overrides[key] as TaskSyncEnv[K]) : fallback;
  return {
    // Looked up now; if absent, constructing fails and is retried like any socket error.
    WebSocket: pick('WebSocket', g.WebSocket as SocketConstructor),
    fetch: pick('fetch', (input, init) => g.fetch(input, init)),
    setTimeout: pick('setTimeout', (fn, ms) => g.setTimeout(fn, ms)),
    clearTimeout: pick('clearTimeout', (handle) => g.clearTimeout(handle)),
    random: pick('random', Math.random),
    now: pick('now', Date.now),
    network: pick('network', typeof g.addEventListener === 'function' ? (g as EventSourceLike) : null),
    visibility: pick(
      'visibility',
      g.document && typeof g.document.addEventListener === 'function' ? (g.document as VisibilitySource) : null,
    ),
    isOnline: pick('isOnline', () => (typeof g.navigator?.onLine === 'boolean' ? g.navigator.onLine : true)),
  };
}
