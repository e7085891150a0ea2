'use client';
export { useTaskSync, useWebSocket, type TaskSyncState } from './useTaskSync';
export {
  WebSocketProvider,
  useTaskSyncClient,
  useTaskSyncEvent,
  useTopic,
  useWebSocketStatus,
  type TopicState,
  type WebSocketProviderProps,
} from './context';
export { ConnectionStatus, type ConnectionStatusProps } from './ConnectionStatus';
