export { createTaskSyncClient } from './client';
export type { TaskSyncClient, TaskSyncEvents, TaskSyncOptions } from './client';
export { backoffCeiling, backoffDelay, fullJitter } from './backoff';
export { applyTaskUpdate } from './tasks';
export { buildSocketUrl, wsUrlFromLocation } from './url';
export { SeenIds } from './seen-ids';
export type { EventSourceLike, SocketConstructor, SocketLike, TaskSyncEnv, TimerHandle, VisibilitySource } from './env';
export { CloseCode } from './types';
export type {
  CloseInfo,
  ConnectedInfo,
  Status,
  Task,
  TaskEventName,
  TaskSyncError,
  TaskUpdate,
  TokenRequest,
  TopicEvent,
} from './types';
