import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { createTaskSyncClient, type Status, type TaskSyncClient, type TaskSyncOptions } from '@tasksync/client';

export interface TaskSyncState {
  client: TaskSyncClient;
  status: Status;
  isConnected: boolean;
}

/**
 * Owns one client for the lifetime of the component: connects on mount, closes
 * (code 1000) on unmount. Callbacks, getToken and url may change between
 * renders; the remaining options (topics, timings, env) are read once — give
 * the component a new `key` to start over with different ones.
 */
export function useTaskSync(options: TaskSyncOptions): TaskSyncState {
  const latest = useRef(options);
  // Declared before the connect effect so getToken() already sees current props.
  useEffect(() => {
    latest.current = options;
  });

  const [client] = useState(() =>
    createTaskSyncClient({
      ...options,
      url: () => {
        const { url } = latest.current;
        return typeof url === 'function' ? url() : url;
      },
      getToken: (request) => latest.current.getToken(request),
      onTaskUpdate: (e) => latest.current.onTaskUpdate?.(e),
      onTopicEvent: (e) => latest.current.onTopicEvent?.(e),
      onStatusChange: (s) => latest.current.onStatusChange?.(s),
      onConnected: (info) => latest.current.onConnected?.(info),
      onClose: (info) => latest.current.onClose?.(info),
      onError: (err) => latest.current.onError?.(err),
      resync: () => latest.current.resync?.(),
    }),
  );

  // close() + connect() is safe, so StrictMode's double effects are harmless.
  useEffect(() => {
    client.connect();
    return () => client.close();
  }, [client]);

  const subscribe = useCallback((onChange: () => void) => client.on('status', onChange), [client]);
  const status = useSyncExternalStore(subscribe, () => client.status, () => client.status);
  return { client, status, isConnected: status === 'connected' };
}

/** The seed's hook name, kept so existing call sites read the same. */
export const useWebSocket = useTaskSync;
