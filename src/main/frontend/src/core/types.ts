/** Connection status as shown to users. */
export type Status = 'connecting' | 'connected' | 'disconnected' | 'offline';

export type TaskEventName = 'task.created' | 'task.updated' | 'task.deleted' | 'task.completed';

export interface Task {
  id: string | number;
  title?: string;
  status?: string;
  [field: string]: unknown;
}

/** `{"type":"task_update",...}` pushed for the connected user's tasks. */
export interface TaskUpdate {
  type: 'task_update';
  event: TaskEventName;
  task: Task;
  /** Event id; used for dedupe and resume. */
  id?: string;
  timestamp?: string;
}

/** Event published on a subscribed topic such as `list:123`. */
export interface TopicEvent<T = unknown> {
  topic: string;
  event: string;
  data: T;
  id?: string;
}

/** Welcome message sent by the server right after the upgrade. */
export interface ConnectedInfo {
  type: 'connected';
  user_id: string;
  connection_id: string;
  timestamp: string;
  /**
   * Proposed resume handshake: `true` when the server accepted `since` and will
   * replay what was missed. Anything else on a reconnect makes the client call resync().
   */
  resumed?: boolean;
}

/** Errors reported by the server (`{"error": ...}`) or raised locally. */
export type TaskSyncError =
  | { source: 'server'; message: string; topic?: string; details?: string }
  | { source: 'token' | 'socket' | 'protocol'; message: string; cause?: unknown };

/** Emitted whenever a socket goes away, with the delay before the next attempt. */
export interface CloseInfo {
  code: number;
  reason: string;
  /** Milliseconds until the next attempt; null when the client will not reconnect on its own. */
  retryInMs: number | null;
}

/** Why getToken() is being called; `forceRefresh` means a cached token must not be reused. */
export interface TokenRequest {
  reason: 'initial' | 'reconnect' | 'unauthorized' | 'forbidden' | 'refresh';
  forceRefresh: boolean;
}

export type MaybePromise<T> = T | Promise<T>;

/** Close codes the server uses, plus the one this client uses for dead connections. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  TOO_BIG: 1009,
  /** Local: heartbeat or connect timeout. */
  DEAD: 4000,
  UNAUTHORIZED: 4001,
  FORBIDDEN: 4003,
  POLICY: 4008,
} as const;
