import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Status, SubscriptionState, TaskSyncClient, TaskSyncError, TaskSyncEvents, TaskSyncOptions, TopicEvent } from '@tasksync/client';
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
  const client = useTaskSyncClient();
  const latest = useRef(onEvent);
  const [state, setState] = useState<TopicState>({ state: 'unsubscribed', error: null });
  useEffect(() => {
    latest.current = onEvent;
  });
  useEffect(() => {
    if (!topic) return;
    const sub = client.subscribe(topic);
    const sync = () => setState({ state: sub.state, error: sub.error });
    sync();
    const offs = [sub.on('event', (e) => latest.current?.(e as TopicEvent<T>)), sub.on('state', sync)];
    return () => {
      for (const off of offs) off();
      sub.unsubscribe();
    };
  }, [client, topic]);
  return state;
}
