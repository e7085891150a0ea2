'use client';
export { useTaskSync, useWebSocket, type TaskSyncState } from './useTaskSync';
export {
  WebSocketProvider,
  useTaskSyncClient,
  useTaskSyncEvent,
  useTopic,
  usePresence,
  useWebSocketStatus,
  type PresenceHookState,
  type TopicState,
  type WebSocketProviderProps,
} from './context';
export { ConnectionStatus, type ConnectionStatusProps } from './ConnectionStatus';
