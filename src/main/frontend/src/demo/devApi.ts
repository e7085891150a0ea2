import type { Task, TaskEventName, TaskUpdate } from '@tasksync/client';

/** The server answers 404 on /dev/* when dev mode is off. */
export class DevModeOffError extends Error {
  constructor() {
    super('Dev mode is off on the server');
    this.name = 'DevModeOffError';
  }
}

export async function fetchDevToken(userId: string): Promise<string> {
  // The demo's shared list (presence, typing) is a topic: dev tokens grant list:*.
  const res = await fetch(`/dev/token?user_id=${encodeURIComponent(userId)}&topics=list:*`, {
    headers: { Accept: 'application/json' },
    cache: 'no-store',
    // A request the server never answers must not stall the page (the probe in App.tsx
    // has no other way out); the client retries a failed getToken() with backoff.
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status === 404) throw new DevModeOffError();
  if (!res.ok) throw new Error(`GET /dev/token failed: HTTP ${res.status}`);
  const body = (await res.json()) as { token?: unknown };
  if (typeof body.token !== 'string' || !body.token) throw new Error('GET /dev/token returned no token');
  return body.token;
}

export interface PublishRequest {
  event_type: TaskEventName;
  user_id: string;
  task: Task;
}

export async function publishTaskEvent(request: PublishRequest): Promise<{ status: string; id?: string }> {
  const res = await fetch('/dev/publish', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(request),
  });
  if (res.status === 404) throw new DevModeOffError();
  if (!res.ok) throw new Error(`POST /dev/publish failed: HTTP ${res.status}`);
  return (await res.json()) as { status: string; id?: string };
}

/**
 * `GET /dev/history?user_id=…`: the user's task_update frames this server process still
 * holds, oldest first (dev mode only). Empty right after a restart until events arrive again.
 */
export async function fetchDevHistory(userId: string): Promise<TaskUpdate[]> {
  const res = await fetch(`/dev/history?user_id=${encodeURIComponent(userId)}`, {
    headers: { Accept: 'application/json' },
    cache: 'no-store',
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status === 404) throw new DevModeOffError();
  if (!res.ok) throw new Error(`GET /dev/history failed: HTTP ${res.status}`);
  const body = (await res.json()) as unknown;
  if (!Array.isArray(body)) throw new Error('GET /dev/history did not return an array');
  return body as TaskUpdate[];
}

/** Works on plain http too, where crypto.randomUUID() is unavailable. */
export function newTaskId(): string {
  return `t-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
