import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PresenceMember, Signal, TaskSyncError, TaskSyncOptions } from '../src/core';
import { FakeSocket, flush, makeClient, start, type Harness } from './fakes';

let h: Harness;

function setup(extra: Partial<TaskSyncOptions> = {}) {
  const made = makeClient(extra);
  h = made.h;
  return made;
}

beforeEach(() => {
  FakeSocket.instances = [];
});

const ann = { user_id: 'ann', connections: 1, info: { name: 'Ann' } };
const bob = { user_id: 'bob', connections: 2 };

describe('presence', () => {
  it('subscribe(topic, { presence: true }): a snapshot, then diffs as join/leave events', async () => {
    const { client } = setup();
    const ws = await start(client);
    ws.serverAccept();
    const sub = client.subscribe('list:1', { presence: true });
    expect(ws.sent).toEqual([{ action: 'subscribe', topic: 'list:1', presence: true }]);
    expect(sub.presence()).toBeNull();
    const joins: PresenceMember[] = [];
    const leaves: PresenceMember[] = [];
    const changes: number[] = [];
    sub.on('join', (u) => joins.push(u));
    sub.on('leave', (u) => leaves.push(u));
    sub.on('presence', (p) => changes.push(p.count));
    ws.serverSend({ action: 'subscribed', topic: 'list:1' });
    ws.serverSend({ type: 'presence_state', topic: 'list:1', users: [ann], count: 1 });
    expect(sub.presence()).toEqual({ count: 1, users: [ann] });
    expect(joins).toEqual([]); // a snapshot is not a join
    ws.serverSend({ type: 'presence_diff', topic: 'list:1', joins: [bob], leaves: [{ user_id: 'ann' }], count: 1 });
    expect(sub.presence()).toEqual({ count: 1, users: [bob] });
    expect(joins).toEqual([bob]);
    expect(leaves).toEqual([{ user_id: 'ann' }]);
    // Other topics' presence is not ours.
    ws.serverSend({ type: 'presence_diff', topic: 'list:2', joins: [ann], count: 2 });
    expect(sub.presence()).toEqual({ count: 1, users: [bob] });
    expect(changes).toEqual([1, 1]);
  });

  it('above the server max-members: counts only (users null)', async () => {
    const { client } = setup();
    const ws = await start(client);
    ws.serverAccept();
    const sub = client.subscribe('list:big', { presence: true });
    ws.serverSend({ action: 'subscribed', topic: 'list:big' });
    ws.serverSend({ type: 'presence_state', topic: 'list:big', users: [ann], count: 1 });
    // Over the limit: a diff with a count and no joins or leaves.
    ws.serverSend({ type: 'presence_diff', topic: 'list:big', count: 1500 });
    expect(sub.presence()).toEqual({ count: 1500, users: null });
    ws.serverSend({ type: 'presence_state', topic: 'list:big', count: 1501 });
    expect(sub.presence()).toEqual({ count: 1501, users: null });
    ws.serverSend({ type: 'presence_diff', topic: 'list:big', count: 1499 });
    expect(sub.presence()).toEqual({ count: 1499, users: null });
    expect(ws.sent).toEqual([{ action: 'subscribe', topic: 'list:big', presence: true }]); // nothing asked while counts only
    // Back under the limit, a diff is relative to members we never got: ask for them.
    ws.sent = [];
    ws.serverSend({ type: 'presence_diff', topic: 'list:big', joins: [ann], count: 1000 });
    expect(ws.sent).toEqual([{ action: 'presence', topic: 'list:big' }]);
    ws.serverSend({ action: 'presence', topic: 'list:big', users: [ann, bob], count: 2 });
    expect(sub.presence()).toEqual({ count: 2, users: [ann, bob] });
  });

  it('the reply to {"action":"presence"} updates a subscription that does not watch', async () => {
    const { client } = setup({ topics: ['list:1'] });
    const ws = await start(client);
    ws.serverAccept();
    const sub = client.subscribe('list:1');
    expect(ws.sent).toEqual([]); // no presence asked: joined at connect, nothing sent
    client.send({ action: 'presence', topic: 'list:1' });
    ws.serverSend({ action: 'presence', topic: 'list:1', users: [ann], count: 1 });
    expect(sub.presence()).toEqual({ count: 1, users: [ann] });
  });

  it('after a reconnect: joined and watched at connect (presence=), nothing sent, the old members forgotten', async () => {
    const { client, closes } = setup();
    const sub = client.subscribe('list:1', { presence: true });
    const plain = client.subscribe('list:2');
    const ws = await start(client);
    expect(ws.query.get('topics')).toBe('list:1,list:2');
    expect(ws.query.get('presence')).toBe('list:1'); // not list:2
    ws.serverAccept();
    expect(ws.sent).toEqual([]);
    ws.serverSend({ type: 'presence_state', topic: 'list:1', users: [ann, bob], count: 2 });
    ws.serverClose(1006);
    h.clock.advance(closes[0].retryInMs!);
    await flush();
    const ws2 = FakeSocket.last;
    expect(ws2).not.toBe(ws);
    ws2.serverAccept();
    expect(sub.state).toBe('subscribed');
    expect(plain.state).toBe('subscribed');
    expect(ws2.query.get('presence')).toBe('list:1');
    expect(ws2.sent).toEqual([]);
    expect(sub.presence()).toBeNull(); // not the list from before the drop
    ws2.serverSend({ type: 'presence_state', topic: 'list:1', users: [bob], count: 1 });
    expect(sub.presence()).toEqual({ count: 1, users: [bob] });
  });

  it('a second subscription with presence on a subscribed topic asks for it; others share the state', async () => {
    const { client } = setup();
    const ws = await start(client);
    ws.serverAccept();
    const a = client.subscribe('list:1');
    ws.serverSend({ action: 'subscribed', topic: 'list:1' });
    const b = client.subscribe('list:1', { presence: true });
    expect(ws.sent).toEqual([
      { action: 'subscribe', topic: 'list:1' },
      { action: 'subscribe', topic: 'list:1', presence: true },
    ]);
    ws.serverSend({ type: 'presence_state', topic: 'list:1', users: [ann], count: 1 });
    expect(a.presence()).toEqual(b.presence());
    client.subscribe('list:1', { presence: true });
    expect(ws.sent).toHaveLength(2); // watched already
  });
});

describe('signals', () => {
  it('sub.signal() sends, and a signal event carries from and data', async () => {
    const { client } = setup({ topics: ['list:1'] });
    const ws = await start(client);
    const sub = client.subscribe('list:1');
    expect(sub.signal('typing')).toBe(false); // not connected yet
    ws.serverAccept();
    const pending = client.subscribe('list:9');
    expect(pending.signal('typing')).toBe(false); // connected, but the subscribe is not confirmed
    ws.sent = [];
    expect(sub.signal('typing', { task_id: 42 })).toBe(true);
    expect(ws.sent).toEqual([{ action: 'signal', topic: 'list:1', event: 'typing', data: { task_id: 42 } }]);
    const got: Signal[] = [];
    const events = vi.fn();
    sub.on('signal', (s) => got.push(s));
    sub.on('event', events);
    ws.serverSend({ type: 'signal', topic: 'list:1', event: 'typing', from: 'u2', data: { task_id: 7 } });
    ws.serverSend({ type: 'signal', topic: 'list:2', event: 'typing', from: 'u3' });
    expect(got).toEqual([{ type: 'signal', topic: 'list:1', event: 'typing', from: 'u2', data: { task_id: 7 } }]);
    expect(events).not.toHaveBeenCalled(); // a signal is not a topic event
  });

  it.each(['Rate limited', 'Unknown signal', 'Payload too large', 'Forbidden'])(
    'a refused signal (%s) is an error event; the subscription stays subscribed',
    async (error) => {
      const onError = vi.fn();
      const { client } = setup({ topics: ['list:1'], onError });
      const ws = await start(client);
      const sub = client.subscribe('list:1');
      ws.serverAccept();
      const errors: TaskSyncError[] = [];
      sub.on('error', (e) => errors.push(e));
      sub.signal('typing');
      ws.serverSend({ error, topic: 'list:1' });
      expect(sub.state).toBe('subscribed');
      expect(sub.error).toBeNull();
      expect(errors).toEqual([expect.objectContaining({ source: 'server', message: error, topic: 'list:1', temporary: true })]);
      expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: error }));
      // Still live: events keep arriving, signals can be sent.
      const got = vi.fn();
      sub.on('event', got);
      ws.serverSend({ topic: 'list:1', event: 'ADDED', data: 1, id: 'e1' });
      expect(got).toHaveBeenCalledTimes(1);
      expect(sub.signal('typing')).toBe(true);
    },
  );
});
