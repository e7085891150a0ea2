/**
 * Connection status as shown to users. `connected` means the server's welcome frame arrived;
 * `failed` is terminal: no retry can fix it (see {@link TaskSyncClient.failure}), only `connect()` starts over.
 */
export type Status = 'connecting' | 'connected' | 'disconnected' | 'offline' | 'failed';

/** State of one {@link Subscription}. */
export type SubscriptionState = 'subscribing' | 'subscribed' | 'unsubscribed' | 'failed';

/** Transports the client can use, in order of preference. */
export type TransportName = 'websocket' | 'sse';

export type TaskEventName = 'task.created' | 'task.updated' | 'task.deleted' | 'task.completed';

export interface Task {
  id: string | number;
  title?: string;
  status?: string;
  [field: string]: unknown;
}

/** `{"type":"task_update",...}`: an event of the connected user's stream. */
export interface TaskUpdate {
  type: 'task_update';
  event: TaskEventName;
  task: Task;
  /** Event id; used for dedupe and resume. */
  id?: string;
  timestamp?: string;
}

/** An event published on a topic such as `list:123`; `T` is the topic's payload type. */
export interface TopicEvent<T = unknown> {
  topic: string;
  event: string;
  data: T;
  id?: string;
}

/**
 * Topic name → payload type, for typed subscriptions. Template literal keys work:
 * `{ [topic: \`list:${string}\`]: ListItem }`.
 */
export type TopicMap = Record<string, unknown>;

/** Payload type of `topic` in the map `M` (`unknown` for topics the map does not name). */
export type PayloadOf<M, K extends string> = K extends keyof M ? M[K] : unknown;

/** The server's welcome frame (`{"type":"connected",...}`). */
export interface ConnectedInfo {
  type: 'connected';
  user_id: string;
  connection_id: string;
  timestamp: string;
  /** Present when `since` was sent: whether the missed events follow. */
  resumed?: boolean;
  /** Present when topics were named at connect: the ones joined. */
  topics?: string[];
  /** The transport this connection uses. */
  transport?: TransportName;
}

/**
 * Errors reported by the server (`{"error": ...}`) or raised locally. `code` is the server's
 * error text (`Forbidden`, `Too many subscriptions`, …) or the close code for a failed client.
 */
export interface TaskSyncError {
  source: 'server' | 'token' | 'socket' | 'protocol' | 'client';
  message: string;
  topic?: string;
  details?: string;
  /** Close code, when the error ended a connection. */
  code?: number;
  /** False when no retry will fix it (the client or the subscription is `failed`). */
  temporary?: boolean;
  cause?: unknown;
}

/** Emitted whenever a connection goes away, with the delay before the next attempt. */
export interface CloseInfo {
  code: number;
  reason: string;
  /** Milliseconds until the next attempt; null when the client will not reconnect on its own. */
  retryInMs: number | null;
}

/** Why getToken() is being called; `forceRefresh` means a cached token must not be reused. */
export interface TokenRequest {
  reason: 'initial' | 'reconnect' | 'unauthorized' | 'refresh';
  forceRefresh: boolean;
}

export type MaybePromise<T> = T | Promise<T>;

// The codes one by one, so a minifier inlines them where the client compares close codes.
export const NORMAL = 1000;
export const GOING_AWAY = 1001;
export const PROTOCOL_ERROR = 1002;
export const ABNORMAL = 1006;
export const INVALID_PAYLOAD = 1007;
export const TOO_BIG = 1009;
export const DEAD = 4000;
export const UNAUTHORIZED = 4001;
export const IDLE = 4002;
export const FORBIDDEN = 4003;
export const SLOW_CONSUMER = 4008;
export const RATE_LIMITED = 4029;

/** One user on a topic (presence). */
export interface PresenceMember {
  user_id: string;
  /** The user's connections subscribed to the topic, on every replica (absent in diffs). */
  connections?: number;
  /** The token claims the server is configured to show (`tasksync.auth.info-claims`, default `name`). */
  info?: Record<string, string>;
}

/** Who is on a topic, as of the server's last presence diff. */
export interface PresenceState {
  /** How many users are on the topic. */
  count: number;
  /** The members; null above the server's `max-members` (1,000), where only `count` is sent. */
  users: PresenceMember[] | null;
}

/** A client signal (e.g. `typing`) from another connection on the topic: the server's message. */
export interface Signal<D = unknown> {
  type: 'signal';
  topic: string;
  /** The signal's name, one of the server's allow-list (`tasksync.signals.events`, default `typing`). */
  event: string;
  /** The sender's user id (from its token; the sending connection never gets its own signal). */
  from: string;
  data?: D;
}

/** Options of {@link TaskSyncClient.subscribe}. */
export interface SubscribeOptions {
  /**
   * Watch who is on the topic: a snapshot after every (re)connect, then diffs
   * (`sub.presence()`, the `presence`, `join` and `leave` events). Over SSE too: the topic
   * goes in the connect URL (`presence=`).
   */
  presence?: boolean;
}
