import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';
import type { Status, TaskSyncClient, TaskSyncEvents, TaskSyncOptions, TopicEvent } from '../core';
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

/** Subscribes to a topic while mounted (reference-counted across components). */
export function useTopic<T = unknown>(topic: string | null | undefined, onEvent?: (event: TopicEvent<T>) => void): void {
  const client = useTaskSyncClient();
  const latest = useRef(onEvent);
  useEffect(() => {
    latest.current = onEvent;
  });
  useEffect(() => {
    if (!topic) return;
    const release = client.subscribe(topic);
    const off = client.on('topicEvent', (e) => {
      if (e.topic === topic) latest.current?.(e as TopicEvent<T>);
    });
    return () => {
      off();
      release();
    };
  }, [client, topic]);
}
