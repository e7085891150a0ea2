import { Emitter } from './emitter';
import type { PresenceMember, PresenceState, Signal, SubscriptionState, TaskSyncError } from './types';

/** Events of a {@link Subscription}; `T` is what one `event` carries. */
export interface SubscriptionEvents<T> {
  /** One event of this stream (deduplicated by id). */
  event: T;
  /** The new state. */
  state: SubscriptionState;
  /** Why the subscription failed (or a non-fatal problem). */
  error: TaskSyncError;
  /** Events of this stream may have been missed and cannot be replayed: refetch its state. */
  resync: undefined;
}

/** Events of a topic's {@link TopicSubscription}: those of every subscription, presence and signals. */
export interface TopicSubscriptionEvents<T> extends SubscriptionEvents<T> {
  /** Who is on the topic changed (a snapshot, a diff or the reply to `{"action":"presence"}`). */
  presence: PresenceState;
  /** A user's first connection joined the topic (from a diff; not for the users of a snapshot). */
  join: PresenceMember;
  /** A user's last connection left, and the server's grace period (10 s) passed. */
  leave: PresenceMember;
  /** A signal from another connection on the topic. */
  signal: Signal;
}

/**
 * One stream: a topic, or the user's own task stream ({@link TaskSyncClient.user}). Its own
 * state machine: `subscribing` → `subscribed`; back to `subscribing` while the client
 * reconnects; `failed` when the server refused it (e.g. `Forbidden`); `unsubscribed` after
 * {@link Subscription.unsubscribe}.
 */
export interface Subscription<T = unknown> {
  /** The topic (`$user` for the user stream). */
  readonly topic: string;
  readonly state: SubscriptionState;
  /** Why it failed, when `state` is `failed`. */
  readonly error: TaskSyncError | null;
  /** Returns a function that removes the listener. */
  on<K extends keyof SubscriptionEvents<T>>(event: K, listener: (value: SubscriptionEvents<T>[K]) => void): () => void;
  /** Resolves once `subscribed`; rejects if it fails or is unsubscribed first. */
  ready(): Promise<void>;
  /** Stops this subscription (others on the same topic keep theirs). Idempotent. */
  unsubscribe(): void;
}

/**
 * A subscription to a topic (from {@link TaskSyncClient.subscribe}): a {@link Subscription} with
 * presence and signals, which need a WebSocket connection (SSE is receive-only).
 */
export interface TopicSubscription<T = unknown> extends Subscription<T> {
  on<K extends keyof TopicSubscriptionEvents<T>>(event: K, listener: (value: TopicSubscriptionEvents<T>[K]) => void): () => void;
  /**
   * Who is on the topic: with `{ presence: true }`, kept up to date from the server's snapshot
   * and diffs; otherwise the last reply to `client.send({ action: 'presence', topic })`. Null
   * until the first snapshot arrives after each (re)connect.
   */
  presence(): PresenceState | null;
  /**
   * Sends a signal (e.g. `'typing'`) to the topic's other subscribers; false when it cannot be
   * sent (not `subscribed`, not connected over WebSocket). The server's refusals (`Rate limited`,
   * `Unknown signal`, `Payload too large`, `Forbidden`) come as `error` events and leave the
   * subscription as it is.
   */
  signal(event: string, data?: unknown): boolean;
}

/** @internal A subscription handle; the client drives its state. */
export class Sub<T> extends Emitter<TopicSubscriptionEvents<T>> implements TopicSubscription<T> {
  state: SubscriptionState = 'subscribing';
  error: TaskSyncError | null = null;
  #waiters: [() => void, (e: TaskSyncError) => void][] = [];
  readonly #release: (sub: Sub<T>) => void;

  constructor(
    readonly topic: string,
    release: (sub: Sub<T>) => void,
    readonly presence: () => PresenceState | null = () => null,
    readonly signal: (event: string, data?: unknown) => boolean = () => false,
  ) {
    super();
    this.#release = release;
  }

  /** @internal */
  set(state: SubscriptionState, error: TaskSyncError | null = null): void {
    if (this.state === state || this.state === 'unsubscribed') return;
    this.state = state;
    this.error = error;
    if (error) this.emit('error', error);
    this.emit('state', state);
    if (state === 'subscribing') return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const [ok, fail] of waiters) {
      if (state === 'subscribed') ok();
      else fail(error ?? { source: 'client', message: 'unsubscribed' });
    }
  }

  ready(): Promise<void> {
    if (this.state === 'subscribed') return Promise.resolve();
    if (this.state !== 'subscribing') return Promise.reject(this.error ?? { source: 'client', message: this.state });
    return new Promise((ok, fail) => this.#waiters.push([ok, fail]));
  }

  unsubscribe(): void {
    if (this.state === 'unsubscribed') return;
    this.set('unsubscribed');
    this.#release(this);
  }
}
