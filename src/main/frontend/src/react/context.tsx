import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type {
  PresenceState,
  Signal,
  Status,
  SubscriptionState,
  TaskSyncClient,
  TaskSyncError,
  TaskSyncEvents,
  TaskSyncOptions,
  TopicEvent,
  TopicSubscription,
} from '@tasksync/client';
import { useTaskSync, type TaskSyncState } from './useTaskSync';

const TaskSyncContext = createContext<TaskSyncState | null>(null);

export type WebSocketProviderProps = TaskSyncOptions & { children?: ReactNode };

/** One shared connection for the subtree below it. */
export function WebSocketProvider({ children, ...options }: WebSocketProviderProps) {
  const { client, status, isConnected } = useTaskSync(options);
  const value = useMemo(() => ({ client, status, isConnected }), [client, status, isConnected]);
  return <TaskSyncContext.Provider value={value}>{children}</TaskSyncContext.Provider>;
}

/** Connection status; outside a provider it reports `disconnected`. */
export function useWebSocketStatus(): { status: Status; isConnected: boolean } {
  const ctx = useContext(TaskSyncContext);
  return ctx ? { status: ctx.status, isConnected: ctx.isConnected } : { status: 'disconnected', isConnected: false };
}

export function useTaskSyncClient(): TaskSyncClient {
  const ctx = useContext(TaskSyncContext);
  if (!ctx) throw new Error('useTaskSyncClient() must be used inside <WebSocketProvider>');
  return ctx.client;
}

/** Listens to one client event (taskUpdate, topicEvent, resync, error, ...). */
export function useTaskSyncEvent<K extends keyof TaskSyncEvents>(
  event: K,
  handler: (value: TaskSyncEvents[K]) => void,
): void {
  const client = useTaskSyncClient();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => client.on(event, (value) => latest.current(value)), [client, event]);
}

/** What {@link useTopic} returns: the subscription's state, and why it failed. */
export interface TopicState {
  state: SubscriptionState;
  error: TaskSyncError | null;
}

/**
 * Subscribes to a topic while mounted (its own `Subscription`; components on the same topic
 * share the server subscription). Returns the subscription's state, re-rendering on changes.
 */
export function useTopic<T = unknown>(topic: string | null | undefined, onEvent?: (event: TopicEvent<T>) => void): TopicState {
  const { state, error } = useSubscription<T>(topic, false, onEvent);
  return { state, error };
}

/** What {@link usePresence} returns: the subscription's state, who is on the topic, and a way to signal. */
export interface PresenceHookState extends TopicState {
  /** The members (`users` null above the server's max-members), or null until the snapshot after each (re)connect. */
  presence: PresenceState | null;
  /** Sends a signal (e.g. `'typing'`) to the topic's other subscribers; false when it cannot be sent now. */
  signal(event: string, data?: unknown): boolean;
}

/**
 * Subscribes to a topic with presence while mounted: re-renders on every snapshot and diff, and
 * hands other users' signals to `onSignal`. Topic events go to `onEvent`, as with {@link useTopic}.
 */
export function usePresence<T = unknown>(
  topic: string | null | undefined,
  onSignal?: (signal: Signal) => void,
  onEvent?: (event: TopicEvent<T>) => void,
): PresenceHookState {
  return useSubscription<T>(topic, true, onEvent, onSignal);
}

function useSubscription<T>(
  topic: string | null | undefined,
  presence: boolean,
  onEvent?: (event: TopicEvent<T>) => void,
  onSignal?: (signal: Signal) => void,
): PresenceHookState {
  const client = useTaskSyncClient();
  const latest = useRef({ onEvent, onSignal });
  const sub = useRef<TopicSubscription | null>(null);
  const [state, setState] = useState<Omit<PresenceHookState, 'signal'>>({ state: 'unsubscribed', error: null, presence: null });
  useEffect(() => {
    latest.current = { onEvent, onSignal };
  });
  useEffect(() => {
    if (!topic) return;
    const s = (sub.current = client.subscribe(topic, { presence }));
    const sync = () => setState({ state: s.state, error: s.error, presence: s.presence() });
    sync();
    const offs = [
      s.on('event', (e) => latest.current.onEvent?.(e as TopicEvent<T>)),
      s.on('state', sync),
      s.on('presence', sync),
      s.on('signal', (m) => latest.current.onSignal?.(m)),
    ];
    return () => {
      for (const off of offs) off();
      s.unsubscribe();
      sub.current = null;
    };
  }, [client, topic, presence]);
  const signal = useCallback((event: string, data?: unknown) => sub.current?.signal(event, data) ?? false, []);
  return { ...state, signal };
}
