import { backoffCeiling, fullJitter } from './backoff';
import { Emitter } from './emitter';
import { definedOnly, resolveEnv, type TaskSyncEnv, type TimerHandle } from './env';
import { SeenIds } from './seen-ids';
import { Sub, type Subscription, type TopicSubscription } from './subscription';
import { webSocketTransport, type Transport, type TransportFactory } from './transport';
import {
  ABNORMAL,
  DEAD,
  FORBIDDEN,
  GOING_AWAY,
  INVALID_PAYLOAD,
  NORMAL,
  PROTOCOL_ERROR,
  RATE_LIMITED,
  TOO_BIG,
  UNAUTHORIZED,
  type CloseInfo,
  type ConnectedInfo,
  type MaybePromise,
  type PayloadOf,
  type PresenceMember,
  type PresenceState,
  type Signal,
  type SubscribeOptions,
  type Status,
  type TaskSyncError,
  type TaskUpdate,
  type TokenRequest,
  type TopicEvent,
  type TopicMap,
  type TransportName,
} from './types';

export interface TaskSyncOptions {
  /** WebSocket endpoint without the token, e.g. `wss://host/ws`; a function is re-evaluated per attempt. */
  url: string | (() => string);
  /**
   * Called before every (re)connect and before the token expires; may be async. Return `null`
   * to stop: the client becomes `failed` (e.g. the user signed out).
   */
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

  /**
   * What opens connections (default: WebSocket). `sseTransport()` from `@tasksync/client/sse`
   * adds the fallback to Server-Sent Events where WebSockets do not get through.
   */
  transport?: TransportFactory;

  /** Send `since=<last event id>` on reconnect (default true). */
  resume?: boolean;
  /** First backoff window (default 1000 ms); doubles per failed attempt. */
  backoffBaseMs?: number;
  /** Largest backoff window (default 30000 ms). */
  backoffCapMs?: number;
  /** Backoff after 4029 (rate limited, too many connections): between half and all of this, doubling (default 10000 ms). */
  rateLimitBackoffMs?: number;
  /** Window for the jittered reconnect after a 1001 "going away" (default 3000 ms). */
  goingAwayJitterMs?: number;
  /** A connection that lived this long resets the backoff (default 10000 ms). */
  stableAfterMs?: number;
  /** Ping period (default 25000 ms). */
  heartbeatIntervalMs?: number;
  /** No message at all this long after a ping means the connection is dead (default 10000 ms). */
  heartbeatTimeoutMs?: number;
  /** Give up on a getToken() that has not settled, or a connection without a welcome, after this long (default 15000 ms each). */
  connectTimeoutMs?: number;
  /** Fetch a fresh token this long before the current one expires (default 30000 ms). */
  refreshAheadMs?: number;
  /** Client messages sent at once at most; keep it under the server's `message-burst` (100) (default 50). */
  messageBurst?: number;
  /** Client messages per second after the burst; under the server's `message-rate` (50) (default 20). */
  messageRate?: number;
  /** Topics per connection; the server's `max-subscriptions` (default 100). */
  maxSubscriptions?: number;
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

/** The client; `M` maps topic names to payload types. */
export interface TaskSyncClient<M extends TopicMap = TopicMap> {
  readonly status: Status;
  /** Why the client is `failed` (close code and reason), else null. */
  readonly failure: TaskSyncError | null;
  /** The transport of the current (or last) connection. */
  readonly transport: TransportName | null;
  /** Id of the newest event delivered; sent as `since` on reconnect. */
  readonly lastEventId: string | null;
  /** Server-assigned id of the current connection, if connected. */
  readonly connectionId: string | null;
  /** Topics with at least one live subscription. */
  readonly topics: readonly string[];
  /** The user's own task stream, as a subscription (subscribed while connected). */
  readonly user: Subscription<TaskUpdate>;
  /** Start connecting (no-op if already started). Works again after close() or a failure. */
  connect(): void;
  /** Client-initiated close (code 1000); no reconnect until connect() is called again. */
  close(): void;
  /** Drop the current connection and connect again immediately. */
  reconnect(): void;
  /**
   * A new subscription to `topic`. Several subscriptions to one topic share one server
   * subscription; each ends with its own `unsubscribe()`.
   */
  subscribe<K extends string>(topic: K, options?: SubscribeOptions): TopicSubscription<TopicEvent<PayloadOf<M, K>>>;
  /** Sends a raw message (paced under the server's rate limit); false when not connected over WebSocket. */
  send(message: object): boolean;
  /** Fetches a fresh token and hands it to the live connection (`{"type":"auth"}`; over SSE: reconnects). */
  refreshToken(): Promise<boolean>;
  on<K extends keyof TaskSyncEvents>(event: K, listener: (value: TaskSyncEvents[K]) => void): () => void;
}

const MAX_TIMER = 2 ** 31 - 1;
/** Durations (ms). */
const DEFAULTS = {
  backoffBaseMs: 1_000,
  backoffCapMs: 30_000,
  rateLimitBackoffMs: 10_000,
  goingAwayJitterMs: 3_000,
  stableAfterMs: 10_000,
  heartbeatIntervalMs: 25_000,
  heartbeatTimeoutMs: 10_000,
  connectTimeoutMs: 15_000,
  refreshAheadMs: 30_000,
};
/** Options that must be integers ≥ 1. */
const COUNTS = {
  messageBurst: 50,
  messageRate: 20,
  maxSubscriptions: 100,
  dedupeSize: 1_000,
};
/** No retry fixes these: the client becomes `failed`. */
const TERMINAL: number[] = [PROTOCOL_ERROR, INVALID_PAYLOAD, TOO_BIG, FORBIDDEN];

interface Entry {
  topic: string;
  subs: Set<Sub<TopicEvent>>;
  /** Named in the current connection's URL (joined at connect). */
  atConnect: boolean;
  /** A subscription asked for presence: watched on every connection. */
  presence?: boolean;
  /** Who is on the topic (members by user id; null: counts only); undefined until a snapshot. */
  members?: Map<string, PresenceMember> | null;
  count?: number;
}

/** Creates a client; throws a RangeError/TypeError naming the option when one is invalid. */
export function createTaskSyncClient<M extends TopicMap = TopicMap>(options: TaskSyncOptions): TaskSyncClient<M> {
  const cfg = { ...DEFAULTS, ...COUNTS, ...definedOnly(options) };
  validate(cfg);
  const env = resolveEnv(options.env);
  const events = new Emitter<TaskSyncEvents>();
  const seen = new SeenIds(cfg.dedupeSize);
  const entries = new Map<string, Entry>();
  const user = new Sub<TaskUpdate>('$user', () => {});

  for (const [name, key] of [
    ['status', 'onStatusChange'],
    ['taskUpdate', 'onTaskUpdate'],
    ['topicEvent', 'onTopicEvent'],
    ['connected', 'onConnected'],
    ['close', 'onClose'],
    ['error', 'onError'],
    ['resync', 'resync'],
  ] as const) {
    const fn = options[key];
    if (fn) events.on(name, fn as () => void);
  }

  let status: Status = 'disconnected';
  let failure: TaskSyncError | null = null;
  let running = false;
  let conn: Transport | null = null;
  let transportName: TransportName | null = null;
  /** Bumped whenever an attempt starts or is abandoned, so late results are dropped. */
  let generation = 0;
  let attempt = 0;
  let welcomed = false;
  let lastClose = 0;
  let tokenReason: TokenRequest['reason'] = 'initial';
  let lastEventId: string | null = null;
  let connectionId: string | null = null;
  /** True once any connection was welcomed: later connections may have missed events. */
  let hadSession = false;
  let resyncedByHandshake = false;
  let openedAt = 0;
  let offlineEvent = false;
  let token = '';

  let reconnectTimer: TimerHandle | null = null;
  let pingTimer: TimerHandle | null = null;
  /** Token / welcome deadline while connecting, pong deadline once connected. */
  let deadlineTimer: TimerHandle | null = null;
  let refreshTimer: TimerHandle | null = null;
  let pumpTimer: TimerHandle | null = null;
  /** Client messages waiting for the rate limiter; null entries were cancelled. */
  let queue: (() => object | null)[] = [];
  let tokens = cfg.messageBurst;
  let refilledAt = 0;

  const clear = (handle: TimerHandle | null): null => {
    if (handle !== null) env.clearTimeout(handle);
    return null;
  };
  const timer = (fn: () => void, ms: number) => env.setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER));
  const live = () => [...entries.values()];
  const allSubs = () => [user as Sub<never>, ...live().flatMap((e) => [...e.subs])];

  function setStatus(next: Status): void {
    if (next === status) return;
    status = next;
    events.emit('status', next);
  }

  const reportError = (error: TaskSyncError) => events.emit('error', error);
  const tokenError = (message: string, cause?: unknown) => reportError({ source: 'token', message, temporary: true, cause });
  /** A topic that fails on the client's side: every subscription `subs` of it. */
  const failLocally = (subs: Iterable<Sub<TopicEvent>>, message: string, topic: string) => {
    for (const s of subs) s.set('failed', { source: 'client', message, topic, temporary: false });
  };

  // ---- connecting -------------------------------------------------------

  function startAttempt(): void {
    reconnectTimer = clear(reconnectTimer);
    if (!running) return;
    const my = ++generation;
    setStatus('connecting');
    const request: TokenRequest = { reason: tokenReason, forceRefresh: tokenReason === 'unauthorized' || tokenReason === 'refresh' };
    deadlineTimer = clear(deadlineTimer);
    // A token request that never settles must not leave the client "connecting" forever.
    deadlineTimer = timer(() => {
      if (my !== generation) return;
      generation++;
      deadlineTimer = null;
      tokenError('getToken() timed out');
      scheduleReconnect(null);
    }, cfg.connectTimeoutMs);
    void getToken(request, () => my === generation && running).then((t) => {
      if (my !== generation || !running) return;
      deadlineTimer = clear(deadlineTimer);
      if (t) open(t);
      else scheduleReconnect(null);
    });
  }

  /**
   * getToken(), with what every caller does about its result: `null` fails the client, a throw
   * or an empty token is reported; both resolve to undefined. `current()` false: the answer
   * came too late and is ignored.
   */
  function getToken(request: TokenRequest, current: () => boolean): Promise<string | void> {
    return new Promise<string | null | undefined>((ok) => ok(options.getToken(request))).then(
      (t) => {
        if (!current()) return;
        if (t) return t;
        if (t === null) fail({ source: 'token', message: 'getToken() returned null' });
        else tokenError('getToken() returned no token');
      },
      (err: unknown) => {
        if (current()) tokenError(errorMessage(err, 'getToken() failed'), err);
      },
    );
  }

  function open(t: string): void {
    token = t;
    // Every live topic joins at connect, with the one resume point, and those watched for
    // presence are watched from the start: nothing is re-subscribed by message, so a reconnect
    // sends nothing the rate limiter would count.
    const topics: string[] = [];
    const presence: string[] = [];
    for (const e of live()) {
      e.atConnect = !e.topic.includes(',') && topics.length < cfg.maxSubscriptions;
      if (e.atConnect) topics.push(e.topic);
      if (e.atConnect && e.presence) presence.push(e.topic);
    }
    welcomed = false;
    queue = [];
    tokens = cfg.messageBurst;
    refilledAt = env.now();
    const my = generation;
    const guard =
      <A extends unknown[]>(fn: (...a: A) => void) =>
      (...a: A) => {
        if (my === generation && conn === c) fn(...a);
      };
    let c: Transport | null = null;
    try {
      c = (options.transport ?? webSocketTransport).open(
        { url: resolve(options.url), token: t, topics, presence, since: (options.resume ?? true) ? lastEventId : null },
        {
          open: guard(() => {
            offlineEvent = false;
          }),
          alive: guard(() => {
            if (welcomed) deadlineTimer = clear(deadlineTimer);
          }),
          message: guard(handleMessage),
          close: guard(handleClose),
        },
        env,
      );
    } catch (err) {
      reportError({ source: 'socket', message: errorMessage(err, 'connect failed'), temporary: true, cause: err });
      handleClose(ABNORMAL, 'connect failed');
      return;
    }
    conn = c;
    transportName = c.name;
    // No welcome frame in time: the connection is as good as dead.
    deadlineTimer = timer(guard(() => declareDead('connect timeout')), cfg.connectTimeoutMs);
  }

  /** Detach first so nothing from the old connection reaches us, then close it. */
  function drop(code: number, reason: string): void {
    pingTimer = clear(pingTimer);
    deadlineTimer = clear(deadlineTimer);
    refreshTimer = clear(refreshTimer);
    pumpTimer = clear(pumpTimer);
    queue = [];
    connectionId = null;
    const c = conn;
    conn = null;
    generation++;
    c?.close(code, reason);
    if (!failure) for (const s of allSubs()) s.set('subscribing');
  }

  function handleClose(code: number, reason: string): void {
    if (openedAt && env.now() - openedAt >= cfg.stableAfterMs) attempt = 0;
    openedAt = 0;
    const hadWelcome = welcomed;
    drop(code, reason);
    let retryInMs: number | null = null;
    if (TERMINAL.includes(code)) fail({ source: 'server', message: reason || `closed with ${code}`, code });
    else {
      const repeated = code === lastClose && !hadWelcome;
      if (code === UNAUTHORIZED) tokenReason = 'unauthorized';
      lastClose = code;
      retryInMs = scheduleReconnect(code, code === UNAUTHORIZED && !repeated);
    }
    events.emit('close', { code, reason, retryInMs });
  }

  /** Browsers can take minutes to notice a dead TCP connection; we don't wait for onclose. */
  function declareDead(reason: string): void {
    openedAt = 0;
    handleClose(DEAD, reason);
  }

  function fail(error: TaskSyncError): void {
    failure = { ...error, temporary: false };
    stop();
    setStatus('failed');
    reportError(failure);
    for (const s of allSubs()) s.set('failed', failure);
  }

  /** Returns the delay chosen, or null when not reconnecting. */
  function scheduleReconnect(code: number | null, now = false): number | null {
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
      const n = attempt++;
      const ceiling = backoffCeiling(n, cfg.backoffBaseMs, cfg.backoffCapMs);
      if (now) delay = 0; // 4001: once, straight away, with a forced token refresh
      else if (code === RATE_LIMITED) {
        const slow = backoffCeiling(n, cfg.rateLimitBackoffMs, cfg.backoffCapMs * 2);
        delay = slow / 2 + fullJitter(slow / 2, env.random);
      } else if (code === GOING_AWAY) {
        // Draining server: come back soon, but spread clients out over a window.
        delay = fullJitter(Math.min(cfg.backoffCapMs, cfg.goingAwayJitterMs), env.random);
      } else delay = fullJitter(ceiling, env.random);
    }
    reconnectTimer = timer(startAttempt, delay);
    return delay;
  }

  // ---- heartbeat and token refresh --------------------------------------

  function schedulePing(): void {
    pingTimer = clear(pingTimer);
    pingTimer = timer(ping, cfg.heartbeatIntervalMs);
  }

  function ping(): void {
    if (!conn || !welcomed) return;
    // Over SSE the server's `: ping` comments (every 15 s) are the heartbeat; we only watch
    // for silence, over a window longer than their period.
    const duplex = conn.duplex;
    if (duplex) sendNow({ type: 'ping' });
    const wait = cfg.heartbeatTimeoutMs + (duplex ? 0 : cfg.heartbeatIntervalMs);
    if (deadlineTimer === null) deadlineTimer = timer(() => declareDead('heartbeat timeout'), wait);
    schedulePing();
  }

  function scheduleRefresh(expiresAt: unknown): void {
    refreshTimer = clear(refreshTimer);
    const exp = typeof expiresAt === 'string' ? Date.parse(expiresAt) : jwtExpiry(token);
    if (!(exp > 0)) return;
    const left = exp - env.now();
    const wait = left - Math.min(cfg.refreshAheadMs, left / 2);
    refreshTimer = timer(() => (wait > MAX_TIMER ? scheduleRefresh(expiresAt) : void refreshToken()), wait);
  }

  async function refreshToken(): Promise<boolean> {
    const c = conn;
    if (!c || !c.duplex) {
      // SSE: a fresh connection with a fresh token, resuming from the last event.
      if (c && welcomed) {
        tokenReason = 'refresh';
        reconnectNow('refresh');
      }
      return !!c;
    }
    const t = await getToken({ reason: 'refresh', forceRefresh: true }, () => true);
    if (!t || c !== conn) return false;
    token = t;
    return send({ type: 'auth', token: t });
  }

  // ---- incoming ---------------------------------------------------------

  function handleMessage(raw: string): void {
    // Any traffic proves the connection is alive, not just pongs.
    deadlineTimer = welcomed ? clear(deadlineTimer) : deadlineTimer;
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(raw);
    } catch (err) {
      reportError({ source: 'protocol', message: 'Unparseable message from server', cause: err });
      return;
    }
    if (!m || typeof m != 'object') return;
    events.emit('message', m);
    const type = m.type;
    const topic = typeof m.topic === 'string' ? m.topic : undefined;

    if (type === 'connected') return welcome(m as unknown as ConnectedInfo);
    if (type === 'resync_required') {
      if (!resyncedByHandshake) resync();
      resyncedByHandshake = false;
      return;
    }
    resyncedByHandshake = false;
    if (type === 'authenticated') return scheduleRefresh(m.expires_at);
    if (type === 'task_update') {
      if (isNew(m.id)) {
        user.emit('event', m as unknown as TaskUpdate);
        events.emit('taskUpdate', m as unknown as TaskUpdate);
      }
      return;
    }
    const entry = topic !== undefined ? entries.get(topic) : undefined;
    const subs = [...(entry?.subs ?? [])];
    if (typeof m.error === 'string') {
      const error: TaskSyncError = { source: 'server', message: m.error, topic, details: m.details as string | undefined };
      // A refused subscribe fails this topic only: its subscriptions, nobody else's. On a
      // subscribed topic it refused a signal (or a presence request): reported, nothing fails.
      if (entry && subs[0].state !== 'subscribed') {
        entries.delete(entry.topic);
        for (const s of subs) s.set('failed', { ...error, temporary: false });
      } else for (const s of subs) s.emit('error', { ...error, temporary: true });
      reportError(error);
      return;
    }
    if (type === 'signal') {
      for (const s of subs) s.emit('signal', m as unknown as Signal);
      return;
    }
    if (entry && (type === 'presence_state' || type === 'presence_diff' || m.action === 'presence')) {
      const emit = (name: 'join' | 'leave', list: unknown) => {
        for (const u of (list as PresenceMember[] | undefined) ?? []) {
          if (name === 'join') entry.members!.set(u.user_id, u);
          else entry.members!.delete(u.user_id);
          for (const s of subs) s.emit(name, u);
        }
      };
      if (type !== 'presence_diff') entry.members = m.users ? new Map((m.users as PresenceMember[]).map((u) => [u.user_id, u])) : null;
      else if (!m.joins && !m.leaves) entry.members = null;
      // Diffs apply to a snapshot in order; after counts only, ask for the members again.
      else if (entry.members) emit('leave', m.leaves), emit('join', m.joins);
      else enqueue(() => ({ action: 'presence', topic }));
      entry.count = m.count as number;
      const state = presenceOf(entry)!;
      for (const s of subs) s.emit('presence', state);
      return;
    }
    if (m.action === 'subscribed') {
      for (const s of subs) s.set('subscribed');
      return;
    }
    // Other messages with a `type` are not topic events (see the 'message' event).
    if (topic !== undefined && typeof m.event === 'string' && m.type === undefined && isNew(m.id)) {
      for (const s of subs) s.emit('event', m as unknown as TopicEvent);
      events.emit('topicEvent', m as unknown as TopicEvent);
    }
  }

  function welcome(info: ConnectedInfo): void {
    deadlineTimer = clear(deadlineTimer);
    // A second welcome on one connection: the transport switched under it (SSE's background
    // WebSocket took over, resuming): nothing was missed, whatever the welcome says.
    const switched = welcomed;
    welcomed = true;
    lastClose = 0;
    openedAt = env.now();
    tokenReason = 'reconnect';
    connectionId = info.connection_id ?? null;
    info.transport = transportName = conn!.name;
    // A server that supports resume confirms it; anything else means the gap since our
    // last session cannot be replayed. A resync_required right after is the same gap.
    resyncedByHandshake = hadSession && !switched && info.resumed !== true;
    if (resyncedByHandshake) resync();
    hadSession = true;
    setStatus('connected');
    user.set('subscribed');
    const joined = Array.isArray(info.topics) ? info.topics : null;
    for (const e of live()) {
      // Presence is never replayed: forget it, the connection's fresh snapshot follows.
      e.members = undefined;
      // Refused topics get an error frame right after this one. A server that does not list
      // the topics joined (older than topics at connect) gets subscribe messages.
      if (e.atConnect && (joined ? joined.includes(e.topic) : !conn!.duplex)) {
        for (const s of e.subs) s.set('subscribed');
      } else if (!e.atConnect || !joined) request(e);
    }
    scheduleRefresh((info as { expires_at?: unknown }).expires_at);
    schedulePing();
    events.emit('connected', info);
  }

  function resync(): void {
    events.emit('resync', undefined);
    for (const s of allSubs()) s.emit('resync', undefined);
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

  /** Queues a message behind the rate limiter; `make` runs when it is its turn (null: skip). */
  function enqueue(make: () => object | null): void {
    queue.push(make);
    pump();
  }

  function pump(): void {
    pumpTimer = clear(pumpTimer);
    const now = env.now();
    tokens = Math.min(cfg.messageBurst, tokens + ((now - refilledAt) * cfg.messageRate) / 1000);
    refilledAt = now;
    while (queue.length && tokens >= 1 && conn) {
      const msg = queue.shift()!();
      if (msg && conn.send(JSON.stringify(msg))) tokens--;
    }
    if (queue.length && conn) pumpTimer = timer(pump, Math.ceil(((1 - tokens) * 1000) / cfg.messageRate));
  }

  function sendNow(message: object): boolean {
    if (!conn) return false;
    tokens--;
    return conn.send(JSON.stringify(message));
  }

  function send(message: object): boolean {
    if (!conn?.duplex || !welcomed) return false;
    enqueue(() => message);
    return true;
  }

  /** Subscribes `e` on the current connection (a message over WebSocket, a reconnect over SSE). */
  function request(e: Entry): void {
    if (!conn || !welcomed) return;
    if (!conn.duplex) {
      // SSE names every topic in its URL; one with a comma cannot be.
      if (!e.topic.includes(',')) return reconnectSoon();
      entries.delete(e.topic);
      return failLocally(e.subs, 'Invalid topic', e.topic);
    }
    enqueue(() => (entries.get(e.topic) === e ? { action: 'subscribe', topic: e.topic, presence: e.presence } : null));
  }

  /** SSE: the topic list is fixed per connection; coalesce changes made in one tick. */
  function reconnectSoon(): void {
    if (reconnectTimer === null) reconnectTimer = timer(() => reconnectNow('topics changed'), 0);
  }

  function reconnectNow(reason: string): void {
    drop(NORMAL, reason);
    attempt = 0;
    startAttempt();
  }

  function subscribe(topic: string, opts?: SubscribeOptions): Sub<TopicEvent> {
    let e = entries.get(topic);
    const sub: Sub<TopicEvent> = new Sub(
      topic,
      () => release(e!, sub),
      () => presenceOf(e!),
      (event, data) => sub.state === 'subscribed' && send({ action: 'signal', topic, event, data }),
    );
    if (!e) {
      if (entries.size >= cfg.maxSubscriptions) {
        failLocally([sub], 'Too many subscriptions', topic);
        return sub;
      }
      entries.set(topic, (e = { topic, subs: new Set(), atConnect: false, presence: opts?.presence }));
      e.subs.add(sub);
      request(e);
      return sub;
    }
    const first = [...e.subs][0];
    e.subs.add(sub);
    if (user.state === 'failed') sub.set('failed', failure);
    // Joining a topic that is already subscribed: nothing to ask the server, unless presence
    // (before the welcome, the welcome asks for it).
    else if (first.state === 'subscribed') sub.set('subscribed');
    if (opts?.presence && !e.presence) {
      e.presence = true;
      request(e);
    }
    return sub;
  }

  function release(e: Entry, sub: Sub<TopicEvent>): void {
    // A failed topic's entry is gone already; a new entry for the same name is not ours.
    if (entries.get(e.topic) !== e || !e.subs.delete(sub) || e.subs.size) return;
    entries.delete(e.topic);
    if (conn?.duplex && welcomed) enqueue(() => (entries.has(e.topic) ? null : { action: 'unsubscribe', topic: e.topic }));
    else if (conn && welcomed && e.atConnect) reconnectSoon();
  }

  for (const topic of options.topics ?? []) subscribe(topic);

  // ---- browser signals --------------------------------------------------

  function stop(): void {
    running = false;
    reconnectTimer = clear(reconnectTimer);
    openedAt = 0;
    listen(false);
    drop(NORMAL, 'client closed');
  }

  function onOffline(): void {
    offlineEvent = true;
    if (!running) return;
    const had = conn !== null;
    openedAt = 0;
    // The connection may look open but cannot deliver anything; close it ourselves.
    drop(NORMAL, 'offline');
    const retryInMs = scheduleReconnect(null);
    if (had) events.emit('close', { code: NORMAL, reason: 'offline', retryInMs });
  }

  function onOnline(): void {
    offlineEvent = false;
    if (!running || status === 'connected' || status === 'connecting') return;
    attempt = 0;
    startAttempt();
  }

  function onVisibilityChange(): void {
    if (!running || env.visibility?.visibilityState !== 'visible') return;
    // Timers are throttled in background tabs; verify the connection right away.
    if (status === 'connected') ping();
    else if (status === 'disconnected' || (status === 'offline' && !offlineEvent && env.isOnline())) startAttempt();
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
    get failure() {
      return failure;
    },
    get transport() {
      return transportName;
    },
    get lastEventId() {
      return lastEventId;
    },
    get connectionId() {
      return connectionId;
    },
    get topics() {
      return [...entries.keys()];
    },
    user,

    connect() {
      if (running) return;
      running = true;
      failure = null;
      attempt = 0;
      tokenReason = 'initial';
      for (const s of allSubs()) s.set('subscribing');
      listen(true);
      if (!offlineEvent && env.isOnline()) startAttempt();
      else scheduleReconnect(null);
    },

    close() {
      if (!running) return;
      stop();
      setStatus('disconnected');
    },

    reconnect() {
      if (running) reconnectNow('reconnect');
    },

    subscribe: subscribe as TaskSyncClient<M>['subscribe'],
    send,
    refreshToken,

    on: events.on.bind(events),
  };
}

/** An entry's presence as the public snapshot type, or null before one arrived. */
function presenceOf(e: Entry): PresenceState | null {
  return e.members === undefined ? null : { count: e.count ?? 0, users: e.members && [...e.members.values()] };
}

function resolve(url: string | (() => string)): string {
  return typeof url === 'function' ? url() : url;
}

/** The `exp` claim of a JWT in epoch ms, or 0 (unreadable tokens are simply not refreshed ahead). */
export function jwtExpiry(token: string): number {
  try {
    const exp = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).exp;
    return typeof exp === 'number' ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}

function validate(cfg: Record<string, unknown>): void {
  const bad = (key: string, what: string) => {
    throw new RangeError(`tasksync: option ${key} must be ${what}, got ${String(cfg[key])}`);
  };
  if (typeof cfg.url != 'string' && typeof cfg.url != 'function') bad('url', 'a string or a function');
  if (typeof cfg.getToken != 'function') bad('getToken', 'a function');
  for (const key in DEFAULTS) {
    const v = cfg[key];
    if (typeof v != 'number' || !(v >= 0 && v <= MAX_TIMER)) bad(key, `a number of milliseconds from 0 to ${MAX_TIMER}`);
  }
  for (const key in COUNTS) if (!((cfg[key] as number) >= 1 && Number.isInteger(cfg[key]))) bad(key, 'an integer ≥ 1');
}

function errorMessage(err: unknown, fallback: string): string {
  return err instanceof Error && err.message ? err.message : fallback;
}
