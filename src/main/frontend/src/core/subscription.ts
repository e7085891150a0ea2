import { Emitter } from './emitter';
import type { SubscriptionState, TaskSyncError } from './types';

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

/** @internal A subscription handle; the client drives its state. */
export class Sub<T> extends Emitter<SubscriptionEvents<T>> implements Subscription<T> {
  state: SubscriptionState = 'subscribing';
  error: TaskSyncError | null = null;
  #waiters: [() => void, (e: TaskSyncError) => void][] = [];
  readonly #release: (sub: Sub<T>) => void;

  constructor(
    readonly topic: string,
    release: (sub: Sub<T>) => void,
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
