import { vi } from 'vitest';
import {
  createTaskSyncClient,
  type CloseInfo,
  type SocketLike,
  type Status,
  type TaskSyncEnv,
  type TaskSyncOptions,
  type TimerHandle,
  type TokenRequest,
} from '../src/core';

/** Deterministic clock: timers fire only when advance() passes their due time. */
export class FakeClock {
  now = 0;
  private seq = 0;
  private timers = new Map<number, { due: number; fn: () => void; order: number }>();
  /** Every delay ever requested, in order; lets tests inspect backoff choices. */
  readonly requested: number[] = [];

  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    const id = ++this.seq;
    this.requested.push(ms);
    this.timers.set(id, { due: this.now + ms, fn, order: id });
    return id;
  };

  clearTimeout = (handle: TimerHandle): void => {
    this.timers.delete(handle as number);
  };

  get pending(): number {
    return this.timers.size;
  }

  /** Runs due timers in time order, including ones scheduled while advancing. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let nextId = -1;
      let next: { due: number; order: number } | undefined;
      for (const [id, t] of this.timers) {
        if (t.due <= target && (!next || t.due < next.due || (t.due === next.due && t.order < next.order))) {
          next = t;
          nextId = id;
        }
      }
      if (!next) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.now = timer.due;
      timer.fn();
    }
    this.now = target;
  }
}

export class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  static get last(): FakeSocket {
    return FakeSocket.instances[FakeSocket.instances.length - 1];
  }

  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  onopen: ((ev: unknown) => unknown) | null = null;
  onmessage: ((ev: { data: unknown }) => unknown) | null = null;
  onclose: ((ev: { code: number; reason: string }) => unknown) | null = null;
  onerror: ((ev: unknown) => unknown) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  get query(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  // ---- server side ----
  serverOpen(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Opens and sends the welcome frame (what makes the client `connected`). */
  serverAccept(extra: Record<string, unknown> = {}): void {
    this.serverOpen();
    const topics = this.query.get('topics');
    this.serverSend({
      type: 'connected',
      user_id: 'u1',
      connection_id: `c-${FakeSocket.instances.indexOf(this) + 1}`,
      timestamp: '2025-01-01T00:00:00Z',
      ...(this.query.get('since') ? { resumed: true } : {}),
      ...(topics ? { topics: topics.split(',') } : {}),
      ...extra,
    });
  }

  serverSend(message: object | string): void {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

/** Stand-in for window/document event targets. */
export class FakeEventSource {
  visibilityState = 'visible';
  private listeners = new Map<string, Set<() => void>>();

  addEventListener(type: string, fn: () => void): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }

  removeEventListener(type: string, fn: () => void): void {
    this.listeners.get(type)?.delete(fn);
  }

  dispatch(type: string): void {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn();
  }

  count(type: string): number {
    return this.listeners.get(type)?.size ?? 0;
  }
}

export interface Harness {
  clock: FakeClock;
  network: FakeEventSource;
  visibility: FakeEventSource;
  online: { value: boolean };
  env: Partial<TaskSyncEnv>;
}

export function makeHarness(random: () => number = () => 0.5): Harness {
  FakeSocket.instances = [];
  const clock = new FakeClock();
  const network = new FakeEventSource();
  const visibility = new FakeEventSource();
  const online = { value: true };
  return {
    clock,
    network,
    visibility,
    online,
    env: {
      WebSocket: FakeSocket,
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      now: () => clock.now,
      random,
      network,
      visibility,
      isOnline: () => online.value,
    },
  };
}

/** Lets promise callbacks (async getToken) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/**
 * A client on fakes: tokens tok1, tok2, … from `getToken`, every status change and close
 * recorded. `extra` overrides any option.
 */
export function makeClient(extra: Partial<TaskSyncOptions> = {}, random?: () => number) {
  const h = makeHarness(random);
  let tokens = 0;
  const statuses: Status[] = [];
  const closes: CloseInfo[] = [];
  const getToken = vi.fn(async (_req: TokenRequest) => `tok${++tokens}`);
  const client = createTaskSyncClient({
    url: 'ws://localhost:8005/ws',
    getToken,
    onStatusChange: (s) => statuses.push(s),
    onClose: (c) => closes.push(c),
    env: h.env,
    ...extra,
  });
  return { h, client, getToken, statuses, closes };
}

/** connect() + let getToken resolve; returns the socket (not yet open). */
export async function start(client: { connect(): void }): Promise<FakeSocket> {
  client.connect();
  await flush();
  return FakeSocket.last;
}
