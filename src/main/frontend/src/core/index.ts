export { createTaskSyncClient, jwtExpiry } from './client';
export type { TaskSyncClient, TaskSyncEvents, TaskSyncOptions } from './client';
export type { Subscription, SubscriptionEvents, TopicSubscription, TopicSubscriptionEvents } from './subscription';
export { webSocketTransport } from './transport';
export type { ConnectRequest, Transport, TransportFactory, TransportHandlers } from './transport';
export { backoffCeiling, fullJitter } from './backoff';
export { buildSocketUrl } from './url';
export { SeenIds } from './seen-ids';
export type { EventSourceLike, SocketConstructor, SocketLike, TaskSyncEnv, TimerHandle, VisibilitySource } from './env';
export type {
  CloseInfo,
  MaybePromise,
  ConnectedInfo,
  PayloadOf,
  PresenceMember,
  PresenceState,
  Signal,
  SubscribeOptions,
  Status,
  SubscriptionState,
  Task,
  TaskEventName,
  TaskSyncError,
  TaskUpdate,
  TokenRequest,
  TopicEvent,
  TopicMap,
  TransportName,
} from './types';
