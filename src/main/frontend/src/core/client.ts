import { backoffCeiling, fullJitter } from './backoff';
import { Emitter } from './emitter';
import { READY_STATE, resolveEnv, type SocketLike, type TaskSyncEnv, type TimerHandle } from './env';
import { SeenIds } from './seen-ids';
import {
  CloseCode,
  type CloseInfo,
  type ConnectedInfo,
  type MaybePromise,
  type Status,
  type TaskSyncError,
  type TaskUpdate,
  type TokenRequest,
  type TopicEvent,
} from './types';
import { buildSocketUrl } from './url';

export interface TaskSyncOptions {
  /** Socket endpoint without the token, e.g. `wss://host/ws`; a function is re-evaluated per attempt. */
  url: string | (() => string);
  /** Called before every (re)connect; may be async. Return null/'' when no token is available yet. */
  getToken: (request: TokenRequest) => MaybePromise<string | null | undefined>;
  /** Topics subscribed from the start (same as calling subscribe() for each). */
  topics?: Iterable<string>;

  onTaskUpdate?: (update: TaskUpdate) => void;
  onTopicEvent?: (event: TopicEvent) => void;
  onStatusChange?: (status: Status) => void;
  onConnected?: (info: ConnectedInfo) => void;
  onClose?: (info: CloseInfo) => void;
  onError?: (error: TaskSyncError) => void;
  /** Events may have been missed and cannot be replayed: refetch application state. */
  resync?: () => void;

  /** Send `since=<last event id>` on reconnect (default true). */
  resume?: boolean;
  /** First backoff window (default 1000 ms); doubles per failed attempt. */
  backoffBaseMs?: number;
  /** Largest backoff window (default 30000 ms). */
  backoffCapMs?: number;
  /** Window for the jittered reconnect after a 1001 "going away" (default 3000 ms). */
  goingAwayJitterMs?: number;
  /** A connection that lived this long resets the backoff (default 10000 ms). */
  stableAfterMs?: number;
  /** Ping period (default 25000 ms). */
  heartbeatIntervalMs?: number;
  /** No message at all this long after a ping means the socket is dead (default 10000 ms). */
  heartbeatTimeoutMs?: number;
  /** Give up on a getToken() that has not settled, or a socket that has not opened, after this long (default 15000 ms each). */
  connectTimeoutMs?: number;
  /** How many event ids to remember for dedupe (default 1000). */
  dedupeSize?: number;
  /** Fakes for tests; browser globals otherwise. */
  env?: Partial<TaskSyncEnv>;
}

export interface TaskSyncEvents {
  status: Status;
  taskUpdate: TaskUpdate;
  topicEvent: TopicEvent;
  connected: ConnectedInfo;
  close: CloseInfo;
  error: TaskSyncError;
  resync: undefined;
  /** Every parsed server message, before any handling (debugging, future message types). */
  message: Record<string, unknown>;
}

export interface TaskSyncClient {
  readonly status: Status;
  /** Id of the newest event delivered; sent as `since` on reconnect. */
  readonly lastEventId: string | null;
  /** Server-assigned id of the current connection, if connected. */
  readonly connectionId: string | null;
  readonly topics: readonly string[];
  /** Start connecting (no-op if already started). Works again after close(). */
  connect(): void;
  /** Client-initiated close (code 1000); no reconnect until connect() is called again. */
  close(): void;
  /** Drop the current socket and connect again immediately. */
  reconnect(): void;
  /** Reference-counted: returns a function that releases this subscription. */
  subscribe(topic: string): () => void;
  unsubscribe(topic: string): void;
  /** Sends a raw message if the socket is open; returns whether it was sent. */
  send(message: object): boolean;
  /** Fetches a fresh token and hands it to the live connection (`{"type":"auth"}`). */
  refreshToken(): Promise<boolean>;
  on<K extends keyof TaskSyncEvents>(event: K, listener: (value: TaskSyncEvents[K]) => void): () => void;
}

const DEFAULTS = {
  resume: true,
  backoffBaseMs: 1_000,
  backoffCapMs: 30_000,
  goingAwayJitterMs: 3_000,
  stableAfterMs: 10_000,
  heartbeatIntervalMs: 25_000,
  heartbeatTimeoutMs: 10_000,
  connectTimeoutMs: 15_000,
  dedupeSize: 1_000,
};

export function createTaskSyncClient(options: TaskSyncOptions): TaskSyncClient {
  const cfg = { ...DEFAULTS, ...definedOnly(options) };
  const env = resolveEnv(options.env);
  const events = new Emitter<TaskSyncEvents>();
  const seen = new SeenIds(cfg.dedupeSize);
  /** topic -> number of holders; subscribe/unsubscribe frames are sent on 0<->1 transitions. */
  const topics = new Map<string, number>();
  for (const topic of options.topics ?? []) topics.set(topic, (topics.get(topic) ?? 0) + 1);

  // Option callbacks are just the first listeners.
  if (options.onStatusChange) events.on('status', options.onStatusChange);
  if (options.onTaskUpdate) events.on('taskUpdate', options.onTaskUpdate);
  if (options.onTopicEvent) events.on('topicEvent', options.onTopicEvent);
  if (options.onConnected) events.on('connected', options.onConnected);
  if (options.onClose) events.on('close', options.onClose);
  if (options.onError) events.on('error', options.onError);
  if (options.resync) events.on('resync', options.resync);

  let status: Status = 'disconnected';
  let running = false;
  let socket: SocketLike | null = null;
  /** Bumped whenever an attempt starts or is abandoned, so late getToken() results are dropped. */
  let generation = 0;
  let attempt = 0;
  let tokenReason: TokenRequest['reason'] = 'initial';
  let lastEventId: string | null = null;
  let connectionId: string | null = null;
  /** True once any connection opened: later connections may have missed events. */
  let hadSession = false;
  let awaitingHandshake = false;
  /** Coalesces our own handshake resync with a resync_required that follows it. */
  let resyncedByHandshake = false;
  let openedAt = 0;
  /** Set by the `offline` event, cleared by `online` or by a socket that opens anyway. */
  let offlineEvent = false;

  let reconnectTimer: TimerHandle | null = null;
  let pingTimer: TimerHandle | null = null;
  /** Connect timeout while opening, pong deadline once open. */
  let deadlineTimer: TimerHandle | null = null;

  const clear = (handle: TimerHandle | null): null => {
    if (handle !== null) env.clearTimeout(handle);
    return null;
  };

  function setStatus(next: Status): void {
    if (next === status) return;
    status = next;
    events.emit('status', next);
  }

  function reportError(error: TaskSyncError): void {
    events.emit('error', error);
  }

  // ---- connecting -------------------------------------------------------

  function startAttempt(): void {
    reconnectTimer = clear(reconnectTimer);
    if (!running) return;
    const myGeneration = ++generation;
    setStatus('connecting');
    const request: TokenRequest = {
      reason: tokenReason,
      forceRefresh: tokenReason === 'unauthorized' || tokenReason === 'forbidden',
    };
    let pending: MaybePromise<string | null | undefined>;
    try {
      pending = options.getToken(request);
    } catch (err) {
      pending = Promise.reject(err);
    }
    // A token request that never settles (e.g. an HTTP request the server never answers)
    // must not leave the client "connecting" forever.
    deadlineTimer = clear(deadlineTimer);
    deadlineTimer = env.setTimeout(() => {
      if (myGeneration !== generation || !running) return;
      generation++; // drop the late token
      deadlineTimer = null;
      reportError({ source: 'token', message: 'getToken() timed out' });
      scheduleReconnect(null);
    }, cfg.connectTimeoutMs);
    Promise.resolve(pending).then(
      (token) => {
        if (myGeneration !== generation || !running) return;
        deadlineTimer = clear(deadlineTimer);
        if (!token) {
          reportError({ source: 'token', message: 'getToken() returned no token' });
          scheduleReconnect(null);
          return;
        }
        openSocket(token);
      },
      (err: unknown) => {
        if (myGeneration !== generation || !running) return;
        deadlineTimer = clear(deadlineTimer);
        reportError({ source: 'token', message: errorMessage(err, 'getToken() failed'), cause: err });
        scheduleReconnect(null);
      },
    );
  }

  function openSocket(token: string): void {
    const base = typeof options.url === 'function' ? options.url() : options.url;
    const url = buildSocketUrl(base, token, cfg.resume ? lastEventId : null);
    let ws: SocketLike;
    try {
      ws = new env.WebSocket(url);
    } catch (err) {
      reportError({ source: 'socket', message: errorMessage(err, 'WebSocket constructor failed'), cause: err });
      scheduleReconnect(null);
      return;
    }
    socket = ws;
    deadlineTimer = env.setTimeout(() => declareDead(ws, 'connect timeout'), cfg.connectTimeoutMs);

    ws.onopen = () => {
      if (socket !== ws) return;
      deadlineTimer = clear(deadlineTimer);
      openedAt = env.now();
      offlineEvent = false;
      tokenReason = 'reconnect';
      awaitingHandshake = hadSession;
      resyncedByHandshake = false;
      hadSession = true;
      setStatus('connected');
      for (const topic of topics.keys()) sendRaw(ws, { action: 'subscribe', topic });
      schedulePing();
    };
    ws.onmessage = (ev) => {
      if (socket === ws) handleMessage(ev.data);
    };
    ws.onclose = (ev) => {
      if (socket === ws) handleClose(ev.code, ev.reason ?? '');
    };
    // An error is always followed by close; that is where we react.
    ws.onerror = () => {};
  }

  /** Detach first so nothing from the old socket reaches us, then close it. */
  function dropSocket(code: number, reason: string): void {
    pingTimer = clear(pingTimer);
    deadlineTimer = clear(deadlineTimer);
    connectionId = null;
    const ws = socket;
    socket = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    if (ws.readyState === READY_STATE.CONNECTING || ws.readyState === READY_STATE.OPEN) {
      try {
        ws.close(code, reason);
      } catch {
        // Already closing; nothing left to do.
      }
    }
  }

  function handleClose(code: number, reason: string): void {
    if (openedAt && env.now() - openedAt >= cfg.stableAfterMs) attempt = 0;
    openedAt = 0;
    dropSocket(code, reason);
    if (code === CloseCode.UNAUTHORIZED) tokenReason = 'unauthorized';
    else if (code === CloseCode.FORBIDDEN) tokenReason = 'forbidden';
    // Any server-side close, 1000 included, is unexpected for us: only close() stops the client.
    const retryInMs = scheduleReconnect(code);
    events.emit('close', { code, reason, retryInMs });
  }

  /** Browsers can take minutes to notice a dead TCP connection; we don't wait for onclose. */
  function declareDead(ws: SocketLike, reason: string): void {
    if (socket !== ws) return;
    openedAt = 0;
    dropSocket(CloseCode.DEAD, reason);
    const retryInMs = scheduleReconnect(CloseCode.DEAD);
    events.emit('close', { code: CloseCode.DEAD, reason, retryInMs });
  }

  /** Returns the delay chosen, or null when not reconnecting. */
  function scheduleReconnect(code: number | null): number | null {
    reconnectTimer = clear(reconnectTimer);
    if (!running) {
      setStatus('disconnected');
      return null;
    }
    let delay: number;
    if (offlineEvent || !env.isOnline()) {
      // navigator.onLine can be wrong (VPNs, virtual adapters), so keep probing
      // slowly instead of trusting it forever; the `online` event cuts this short.
      setStatus('offline');
      delay = cfg.backoffCapMs / 2 + fullJitter(cfg.backoffCapMs / 2, env.random);
    } else {
      setStatus('disconnected');
      let ceiling = backoffCeiling(attempt, cfg.backoffBaseMs, cfg.backoffCapMs);
      // Draining server: come back soon, but spread clients out over a window.
      if (code === CloseCode.GOING_AWAY) ceiling = Math.min(cfg.backoffCapMs, Math.max(ceiling, cfg.goingAwayJitterMs));
      delay = fullJitter(ceiling, env.random);
      attempt++;
    }
    reconnectTimer = env.setTimeout(startAttempt, delay);
    return delay;
  }

  // ---- heartbeat --------------------------------------------------------

  function schedulePing(): void {
    pingTimer = clear(pingTimer);
    pingTimer = env.setTimeout(ping, cfg.heartbeatIntervalMs);
  }

  function ping(): void {
    const ws = socket;
    if (!ws || ws.readyState !== READY_STATE.OPEN) return;
    sendRaw(ws, { type: 'ping' });
    if (deadlineTimer === null) {
      deadlineTimer = env.setTimeout(() => declareDead(ws, 'heartbeat timeout'), cfg.heartbeatTimeoutMs);
    }
    schedulePing();
  }

  // ---- incoming ---------------------------------------------------------

  function handleMessage(raw: unknown): void {
    // Any traffic proves the connection is alive, not just pongs.
    deadlineTimer = clear(deadlineTimer);
    let msg: unknown;
    try {
      msg = JSON.parse(String(raw));
    } catch (err) {
      reportError({ source: 'protocol', message: 'Unparseable message from server', cause: err });
      return;
    }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return;
    const m = msg as Record<string, unknown>;
    events.emit('message', m);

    if (awaitingHandshake) {
      awaitingHandshake = false;
      // A server that supports resume confirms it; anything else means the gap
      // since our last session cannot be replayed.
      const resumed = m.type === 'connected' && m.resumed === true;
      if (!resumed && m.type !== 'resync_required') {
        resyncedByHandshake = true;
        events.emit('resync', undefined);
      }
    } else if (m.type !== 'resync_required') {
      resyncedByHandshake = false;
    }

    if (m.type === 'pong') return;
    if (m.type === 'connected') {
      connectionId = typeof m.connection_id === 'string' ? m.connection_id : null;
      events.emit('connected', m as unknown as ConnectedInfo);
      return;
    }
    if (m.type === 'resync_required') {
      if (!resyncedByHandshake) events.emit('resync', undefined);
      resyncedByHandshake = false;
      return;
    }
    if (m.type === 'task_update') {
      if (m.task && typeof m.task === 'object' && isNew(m.id)) events.emit('taskUpdate', m as unknown as TaskUpdate);
      return;
    }
    if (typeof m.error === 'string') {
      const topic = typeof m.topic === 'string' ? m.topic : undefined;
      // Re-subscribing a forbidden topic on every reconnect would only repeat the error.
      if (m.error === 'Forbidden' && topic) topics.delete(topic);
      reportError({
        source: 'server',
        message: m.error,
        topic,
        details: typeof m.details === 'string' ? m.details : undefined,
      });
      return;
    }
    if (typeof m.action === 'string') return; // subscribed / unsubscribed acks
    // Signals and presence messages carry a `type` (see the 'message' event); topic events do not.
    if (typeof m.topic === 'string' && typeof m.event === 'string' && m.type === undefined) {
      if (isNew(m.id)) events.emit('topicEvent', m as unknown as TopicEvent);
    }
  }

  /** Dedupe by event id; events without an id are always delivered. */
  function isNew(id: unknown): boolean {
    if (id === undefined || id === null || id === '') return true;
    const key = String(id);
    if (!seen.add(key)) return false;
    lastEventId = key;
    return true;
  }

  // ---- outgoing ---------------------------------------------------------

  function sendRaw(ws: SocketLike, message: object): boolean {
    if (ws.readyState !== READY_STATE.OPEN) return false;
    try {
      ws.send(JSON.stringify(message));
      return true;
    } catch (err) {
      reportError({ source: 'socket', message: errorMessage(err, 'send failed'), cause: err });
      return false;
    }
  }

  function send(message: object): boolean {
    return socket ? sendRaw(socket, message) : false;
  }

  function subscribe(topic: string): () => void {
    const count = topics.get(topic) ?? 0;
    topics.set(topic, count + 1);
    // While disconnected the topic is just recorded; onopen subscribes everything.
    if (count === 0) send({ action: 'subscribe', topic });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      unsubscribe(topic);
    };
  }

  function unsubscribe(topic: string): void {
    const count = topics.get(topic);
    if (count === undefined) return;
    if (count > 1) {
      topics.set(topic, count - 1);
      return;
    }
    topics.delete(topic);
    send({ action: 'unsubscribe', topic });
  }

  // ---- browser signals --------------------------------------------------

  function onOffline(): void {
    offlineEvent = true;
    if (!running) return;
    generation++;
    reconnectTimer = clear(reconnectTimer);
    openedAt = 0;
    const hadSocket = socket !== null;
    // The socket may look open but cannot deliver anything; close it ourselves.
    dropSocket(CloseCode.NORMAL, 'offline');
    const retryInMs = scheduleReconnect(null);
    if (hadSocket) events.emit('close', { code: CloseCode.NORMAL, reason: 'offline', retryInMs });
  }

  function onOnline(): void {
    offlineEvent = false;
    if (!running || status === 'connected' || status === 'connecting') return;
    attempt = 0;
    startAttempt();
  }

  function onVisibilityChange(): void {
    if (!running || env.visibility?.visibilityState !== 'visible') return;
    if (status === 'connected') {
      // Timers are throttled in background tabs; verify the socket right away.
      ping();
    } else if (status === 'disconnected' || (status === 'offline' && !offlineEvent && env.isOnline())) {
      startAttempt();
    }
  }

  function listen(add: boolean): void {
    const method = add ? 'addEventListener' : 'removeEventListener';
    env.network?.[method]('online', onOnline);
    env.network?.[method]('offline', onOffline);
    env.visibility?.[method]('visibilitychange', onVisibilityChange);
  }

  // ---- public API -------------------------------------------------------

  return {
    get status() {
      return status;
    },
    get lastEventId() {
      return lastEventId;
    },
    get connectionId() {
      return connectionId;
    },
    get topics() {
      return [...topics.keys()];
    },

    connect() {
      if (running) return;
      running = true;
      attempt = 0;
      listen(true);
      if (!offlineEvent && env.isOnline()) startAttempt();
      else scheduleReconnect(null);
    },

    close() {
      if (!running) return;
      running = false;
      generation++;
      reconnectTimer = clear(reconnectTimer);
      openedAt = 0;
      listen(false);
      dropSocket(CloseCode.NORMAL, 'client closed');
      setStatus('disconnected');
    },

    reconnect() {
      if (!running) return;
      generation++;
      openedAt = 0;
      dropSocket(CloseCode.NORMAL, 'reconnect');
      attempt = 0;
      startAttempt();
    },

    subscribe,
    unsubscribe,
    send,

    async refreshToken() {
      const token = await options.getToken({ reason: 'refresh', forceRefresh: true });
      return token ? send({ type: 'auth', token }) : false;
    },

    on(event, listener) {
      return events.on(event, listener);
    },
  };
}

function errorMessage(err: unknown, fallback: string): string {
  return err instanceof Error && err.message ? err.message : fallback;
}

/** `{ ...DEFAULTS, ...options }` must not let an explicit `undefined` erase a default. */
function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
