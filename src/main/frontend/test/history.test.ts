import { describe, expect, it } from 'vitest';
import type { Task, TaskUpdate } from '../src/core';
import { applyTaskUpdate } from '../src/helpers';
import { AppliedEvents, isTaskUpdate } from '../src/demo/history';

const frame = (id: string, event: TaskUpdate['event'], task: Task): TaskUpdate => ({ type: 'task_update', id, event, task });

describe('demo resync from /dev/history', () => {
  it('applies only the events not applied live, oldest first, through the task reducer', () => {
    const applied = new AppliedEvents();
    let tasks: readonly Task[] = [];
    const live = frame('e1', 'task.created', { id: 't1', title: 'Buy milk', status: 'pending' });
    expect(applied.accept(live)).toBe(true);
    tasks = applyTaskUpdate(tasks, live);

    const history = [
      live,
      frame('e2', 'task.created', { id: 't2', title: 'Bread', status: 'pending' }),
      frame('e3', 'task.completed', { id: 't1' }),
    ];
    const fresh = applied.fresh(history);
    expect(fresh.map((f) => f.id)).toEqual(['e2', 'e3']);
    for (const u of fresh) tasks = applyTaskUpdate(tasks, u);
    expect(tasks).toEqual([
      { id: 't1', title: 'Buy milk', status: 'completed' },
      { id: 't2', title: 'Bread', status: 'pending' },
    ]);

    // A second resync over the same history changes nothing; the same event live is a duplicate too.
    expect(applied.fresh(history)).toEqual([]);
    expect(applied.accept(history[1]!)).toBe(false);
  });

  it('drops malformed entries and tolerates a non-array body', () => {
    const applied = new AppliedEvents();
    expect(applied.fresh({ not: 'an array' })).toEqual([]);
    const good = frame('e9', 'task.created', { id: 't9' });
    expect(applied.fresh([null, 1, { type: 'pong' }, { event: 'task.created' }, { event: 'task.created', task: {} }, good])).toEqual([good]);
    expect(isTaskUpdate(good)).toBe(true);
  });

  it('events without an id are always applied', () => {
    const applied = new AppliedEvents();
    const noId = { type: 'task_update', event: 'task.created', task: { id: 't1' } };
    expect(applied.fresh([noId, noId])).toHaveLength(2);
  });
});
