import { SeenIds, type TaskUpdate } from '@tasksync/client';

/**
 * The demo's stand-in for "refetch your state" after `resync_required`: the server's
 * (dev-mode) history of the user's `task_update` frames, replayed through the same reducer
 * as live events. Event ids already applied (live or from an earlier history fetch) are
 * skipped, so overlapping live delivery and history never apply an event twice.
 */
export class AppliedEvents {
  private readonly seen: SeenIds;

  constructor(capacity = 1_000) {
    this.seen = new SeenIds(capacity);
  }

  /** Records a live update; false if its id was applied already. Updates without an id always count as new. */
  accept(update: Pick<TaskUpdate, 'id'>): boolean {
    const id = update.id;
    if (id === undefined || id === null || id === '') return true;
    return this.seen.add(String(id));
  }

  /** The frames of a history response not applied yet, oldest first; malformed entries are dropped. */
  fresh(frames: unknown): TaskUpdate[] {
    if (!Array.isArray(frames)) return [];
    return frames.filter(isTaskUpdate).filter((f) => this.accept(f));
  }
}

export function isTaskUpdate(value: unknown): value is TaskUpdate {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  if (v.type !== undefined && v.type !== 'task_update') return false;
  if (typeof v.event !== 'string') return false;
  const task = v.task as Record<string, unknown> | null | undefined;
  return !!task && typeof task === 'object' && task.id !== undefined && task.id !== null;
}
