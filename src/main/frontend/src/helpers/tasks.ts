import type { Task, TaskUpdate } from '@tasksync/client';

/**
 * Task list reducer: created/updated upsert (merging fields, since an update
 * may carry only what changed), deleted removes, completed marks the task
 * completed. Returns the same array when nothing changed, so React can bail out.
 */
export function applyTaskUpdate(tasks: readonly Task[], update: Pick<TaskUpdate, 'event' | 'task'>): readonly Task[] {
  const { event, task } = update;
  if (!task || task.id === undefined || task.id === null) return tasks;
  const key = String(task.id);
  const index = tasks.findIndex((t) => String(t.id) === key);

  switch (event) {
    case 'task.created':
    case 'task.updated':
      return upsert(tasks, index, task);
    case 'task.completed':
      return upsert(tasks, index, { ...task, status: 'completed' });
    case 'task.deleted':
      return index === -1 ? tasks : tasks.filter((_, i) => i !== index);
    default:
      return tasks;
  }
}

function upsert(tasks: readonly Task[], index: number, task: Task): readonly Task[] {
  if (index === -1) return [...tasks, task];
  const next = tasks.slice();
  next[index] = { ...tasks[index], ...task };
  return next;
}
