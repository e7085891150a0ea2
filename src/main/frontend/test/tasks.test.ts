import { describe, expect, it } from 'vitest';
import type { Task } from '../src/core';
import { applyTaskUpdate } from '../src/helpers';

describe('applyTaskUpdate', () => {
  const milk: Task = { id: 't1', title: 'Buy milk', status: 'pending' };

  it('created appends, updated merges in place', () => {
    let tasks = applyTaskUpdate([], { event: 'task.created', task: milk });
    tasks = applyTaskUpdate(tasks, { event: 'task.created', task: { id: 't2', title: 'Bread' } });
    tasks = applyTaskUpdate(tasks, { event: 'task.updated', task: { id: 't1', title: 'Buy oat milk' } });
    expect(tasks).toEqual([{ id: 't1', title: 'Buy oat milk', status: 'pending' }, { id: 't2', title: 'Bread' }]);
  });

  it('updated for an unknown task inserts it (upsert)', () => {
    expect(applyTaskUpdate([], { event: 'task.updated', task: milk })).toEqual([milk]);
  });

  it('completed sets status, deleted removes', () => {
    let tasks = applyTaskUpdate([milk], { event: 'task.completed', task: { id: 't1' } });
    expect(tasks).toEqual([{ ...milk, status: 'completed' }]);
    tasks = applyTaskUpdate(tasks, { event: 'task.deleted', task: { id: 't1' } });
    expect(tasks).toEqual([]);
  });

  it('matches numeric and string ids and keeps identity when nothing changes', () => {
    const tasks = [{ id: 7, title: 'x' }];
    expect(applyTaskUpdate(tasks, { event: 'task.deleted', task: { id: '7' } })).toEqual([]);
    expect(applyTaskUpdate(tasks, { event: 'task.deleted', task: { id: 'nope' } })).toBe(tasks);
    expect(applyTaskUpdate(tasks, { event: 'task.archived' as never, task: { id: 7 } })).toBe(tasks);
  });
});
