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
  /** Used by the SSE transport (default: the global `fetch`). */
  fetch?: typeof fetch;
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

/** Browser defaults for every field not overridden (an `undefined` override keeps the default). */
export function resolveEnv(overrides: Partial<TaskSyncEnv> = {}): TaskSyncEnv {
  const g = globalThis as any;
  return {
    // Looked up now; if absent, constructing fails and is retried like any socket error.
    WebSocket: g.WebSocket,
    setTimeout: (fn, ms) => g.setTimeout(fn, ms),
    clearTimeout: (handle) => g.clearTimeout(handle),
    random: Math.random,
    now: Date.now,
    network: g.addEventListener ? g : null,
    visibility: g.document?.addEventListener ? g.document : null,
    // Anything but an explicit false (no navigator, a non-boolean) counts as online.
    isOnline: () => g.navigator?.onLine !== false,
    ...definedOnly(overrides),
  };
}

/** `{ ...defaults, ...obj }` must not let an explicit `undefined` erase a default. */
export function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
