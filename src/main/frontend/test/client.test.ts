import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backoffCeiling,
  type SocketConstructor,
  type TaskSyncOptions,
} from '../src/core';
import { FakeSocket, flush, makeClient, start, type Harness } from './fakes';

// Compile-time check: the browser WebSocket satisfies the injectable constructor type.
const _browserSocketFits: SocketConstructor | undefined = undefined as unknown as typeof WebSocket;
void _browserSocketFits;

let h: Harness;

function setup(extra: Partial<TaskSyncOptions> = {}, random?: () => number) {
  const made = makeClient(extra, random);
  h = made.h;
  return made;
}

/** Fire the pending reconnect timer and let getToken resolve. */
async function nextAttempt(ms: number): Promise<void> {
  h.clock.advance(ms);
  await flush();
}

beforeEach(() => {
  FakeSocket.instances = [];
});

describe('connecting', () => {
  it('puts the token and topics in the URL, and is connected only on the welcome frame', async () => {
    const { client, statuses } = setup({ topics: ['list:1'] });
    const ws = await start(client);
    expect(ws.url).toBe('ws://localhost:8005/ws?token=tok1&topics=list%3A1');
    expect(client.status).toBe('connecting');
    ws.serverOpen();
    expect(client.status).toBe('connecting'); // open is not welcome: a refusal still follows as a close
    ws.serverAccept();
    expect(statuses).toEqual(['connecting', 'connected']);
    expect(ws.sent).toEqual([]); // joined at connect, not by message
  });

  it('a refused connection never shows connected and triggers no resync', async () => {
    const resync = vi.fn();
    const { client, statuses, closes } = setup({ resync });
    const ws = await start(client);
    ws.serverAccept();
    ws.serverClose(1006);
    await nextAttempt(closes[0].retryInMs!);
    FakeSocket.last.serverOpen();
    FakeSocket.last.serverClose(4029, 'Too many connections');
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected', 'connecting', 'disconnected']);
    expect(resync).not.toHaveBeenCalled();
  });

  it('gives up on an open socket that sends no welcome', async () => {
    const { client, closes } = setup({ connectTimeoutMs: 5000 });
    const ws = await start(client);
    ws.serverOpen();
    h.clock.advance(5000);
    expect(ws.closedWith?.code).toBe(4000);
    expect(closes[0]).toMatchObject({ code: 4000, reason: 'connect timeout' });
  });

  it('exposes the connected welcome message', async () => {
    const onConnected = vi.fn();
    const { client } = setup({ onConnected });
    const ws = await start(client);
    ws.serverAccept();
    ws.serverSend({ type: 'connected', user_id: 'u1', connection_id: 'c-9', timestamp: '2025-01-01T00:00:00Z' });
    expect(onConnected).toHaveBeenCalledWith(expect.objectContaining({ user_id: 'u1', connection_id: 'c-9' }));
    expect(client.connectionId).toBe('c-9');
  });

  it('gives up on a socket that never opens', async () => {
    const { client, closes } = setup({ connectTimeoutMs: 5000 });
    const ws = await start(client);
    h.clock.advance(5000);
    expect(ws.closedWith?.code).toBe(4000);
    expect(closes[0]).toMatchObject({ code: 4000, reason: 'connect timeout' });
    expect(client.status).toBe('disconnected');
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially with full jitter and is capped', async () => {
    const { client, closes } = setup({ backoffBaseMs: 1000, backoffCapMs: 30000 }, () => 0.999);
    await start(client);
    for (let i = 0; i < 8; i++) {
      FakeSocket.last.serverClose(1006);
      await nextAttempt(closes[closes.length - 1].retryInMs!);
    }
    expect(closes.map((c) => c.retryInMs)).toEqual([999, 1998, 3996, 7992, 15984, 29970, 29970, 29970]);
  });

  it('never gives up, and every delay stays within [0, cap]', async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const { client, closes } = setup({ backoffCapMs: 10_000 }, random);
    await start(client);
    for (let i = 0; i < 300; i++) {
      FakeSocket.last.serverClose(1006);
      const delay = closes[i].retryInMs!;
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(backoffCeiling(i, 1000, 10_000));
      await nextAttempt(delay);
    }
    expect(FakeSocket.instances).toHaveLength(301);
    expect(client.status).toBe('connecting');
  });

  it('resets the backoff only after a connection was stable', async () => {
    const { client, closes } = setup({ stableAfterMs: 10_000, heartbeatIntervalMs: 60_000 }, () => 0.999);
    await start(client);
    for (let i = 0; i < 3; i++) {
      FakeSocket.last.serverAccept();
      FakeSocket.last.serverClose(4008); // open-then-kicked must not look like success
      await nextAttempt(closes[i].retryInMs!);
    }
    expect(closes.map((c) => c.retryInMs)).toEqual([999, 1998, 3996]);
    FakeSocket.last.serverAccept();
    h.clock.advance(10_000);
    FakeSocket.last.serverClose(1006);
    expect(closes[3].retryInMs).toBe(999);
  });

  it('reconnects promptly with jitter after 1001 going away', async () => {
    const { client, closes } = setup({ goingAwayJitterMs: 3000, stableAfterMs: 0 }, () => 0.5);
    const ws = await start(client);
    ws.serverAccept();
    ws.serverClose(1001, 'draining');
    expect(closes[0]).toEqual({ code: 1001, reason: 'draining', retryInMs: 1500 });
    await nextAttempt(1500);
    expect(FakeSocket.instances).toHaveLength(2);
  });

  it('reconnects after an unexpected server-side 1000 as well', async () => {
    const { client, closes } = setup();
    const ws = await start(client);
    ws.serverAccept();
    ws.serverClose(1000);
    expect(closes[0].retryInMs).not.toBeNull();
    await nextAttempt(closes[0].retryInMs!);
    expect(FakeSocket.instances).toHaveLength(2);
  });
});

describe('client close', () => {
  it('closes with 1000 and never reconnects', async () => {
    const { client, statuses } = setup();
    const ws = await start(client);
    ws.serverAccept();
    client.close();
    expect(ws.closedWith).toEqual({ code: 1000, reason: 'client closed' });
    h.clock.advance(10 * 60_000);
    await flush();
    expect(FakeSocket.instances).toHaveLength(1);
    expect(statuses.at(-1)).toBe('disconnected');
    expect(h.clock.pending).toBe(0);
    expect(h.network.count('online') + h.visibility.count('visibilitychange')).toBe(0);
  });

  it('drops a getToken() result that arrives after close()', async () => {
    let release!: (t: string) => void;
    const { client } = setup({ getToken: () => new Promise<string>((r) => (release = r)) });
    client.connect();
    client.close();
    release('late');
    await flush();
    expect(FakeSocket.instances).toHaveLength(0);
  });

  it('can connect again after close()', async () => {
    const { client } = setup();
    (await start(client)).serverAccept();
    client.close();
    const ws = await start(client);
    ws.serverAccept();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(client.status).toBe('connected');
  });
});

describe('heartbeat', () => {
  const hb = { heartbeatIntervalMs: 25_000, heartbeatTimeoutMs: 10_000 };

  it('pings on schedule and stays up while pongs arrive', async () => {
    const { client } = setup(hb);
    const ws = await start(client);
    ws.serverAccept();
    for (let i = 0; i < 3; i++) {
      h.clock.advance(25_000);
      expect(ws.sent.at(-1)).toEqual({ type: 'ping' });
      h.clock.advance(500);
      ws.serverSend({ type: 'pong' });
    }
    h.clock.advance(20_000);
    expect(client.status).toBe('connected');
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('treats any message as proof of life', async () => {
    const { client } = setup(hb);
    const ws = await start(client);
    ws.serverAccept();
    h.clock.advance(25_000);
    ws.serverSend({ topic: 'list:1', event: 'ADDED', data: {}, id: 'x' });
    h.clock.advance(9_999);
    expect(client.status).toBe('connected');
  });

  it('closes a silent socket and reconnects', async () => {
    const { client, closes } = setup(hb);
    const ws = await start(client);
    ws.serverAccept();
    h.clock.advance(25_000 + 10_000);
    expect(ws.closedWith?.code).toBe(4000);
    expect(closes[0]).toMatchObject({ code: 4000, reason: 'heartbeat timeout' });
    expect(client.status).toBe('disconnected');
    await nextAttempt(closes[0].retryInMs!);
    FakeSocket.last.serverAccept();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(client.status).toBe('connected');
  });
});

describe('subscriptions', () => {
  it('joins every topic at (re)connect in the URL, never re-subscribing by message', async () => {
    const { client, closes } = setup({ topics: ['list:1'] });
    const ws = await start(client);
    ws.serverAccept();
    const two = client.subscribe('list:2');
    const three = client.subscribe('list:3');
    three.unsubscribe();
    expect(ws.sent).toEqual([
      { action: 'subscribe', topic: 'list:2' },
      { action: 'subscribe', topic: 'list:3' },
      { action: 'unsubscribe', topic: 'list:3' },
    ]);
    ws.serverSend({ action: 'subscribed', topic: 'list:2' });
    expect(two.state).toBe('subscribed');
    ws.serverClose(1006);
    expect(two.state).toBe('subscribing');
    await nextAttempt(closes[0].retryInMs!);
    expect(FakeSocket.last.query.get('topics')).toBe('list:1,list:2');
    FakeSocket.last.serverAccept();
    expect(FakeSocket.last.sent).toEqual([]);
    expect(two.state).toBe('subscribed');
  });

  it('subscription objects: state, events, ready(), unsubscribe()', async () => {
    const { client } = setup();
    const ws = await start(client);
    ws.serverAccept();
    const sub = client.subscribe<'list:9'>('list:9');
    const states: string[] = [];
    const got: unknown[] = [];
    sub.on('state', (st) => states.push(st));
    sub.on('event', (e) => got.push(e.data));
    const ready = sub.ready();
    expect(sub.state).toBe('subscribing');
    ws.serverSend({ action: 'subscribed', topic: 'list:9' });
    await expect(ready).resolves.toBeUndefined();
    ws.serverSend({ topic: 'list:9', event: 'ADDED', data: { n: 1 }, id: 'a' });
    ws.serverSend({ topic: 'list:8', event: 'ADDED', data: { n: 2 }, id: 'b' });
    expect(got).toEqual([{ n: 1 }]);
    sub.unsubscribe();
    sub.unsubscribe(); // idempotent
    expect(states).toEqual(['subscribed', 'unsubscribed']);
    expect(ws.sent.filter((m) => m.action === 'unsubscribe')).toEqual([{ action: 'unsubscribe', topic: 'list:9' }]);
    await expect(sub.ready()).rejects.toMatchObject({ message: 'unsubscribed' });
  });

  it('shares one server subscription between subscriptions to a topic', async () => {
    const { client } = setup();
    const ws = await start(client);
    ws.serverAccept();
    const a = client.subscribe('list:9');
    ws.serverSend({ action: 'subscribed', topic: 'list:9' });
    const b = client.subscribe('list:9'); // joins a subscribed topic: subscribed at once, nothing sent
    expect(b.state).toBe('subscribed');
    await expect(b.ready()).resolves.toBeUndefined();
    a.unsubscribe();
    a.unsubscribe();
    expect(ws.sent).toEqual([{ action: 'subscribe', topic: 'list:9' }]);
    b.unsubscribe();
    expect(ws.sent.at(-1)).toEqual({ action: 'unsubscribe', topic: 'list:9' });
    expect(client.topics).toEqual([]);
  });

  it('Forbidden fails only that topic, and its holders cannot release anyone else', async () => {
    const onError = vi.fn();
    const { client, closes } = setup({ topics: ['list:1'], onError });
    const ws = await start(client);
    const a = client.subscribe('list:secret');
    const b = client.subscribe('list:secret');
    ws.serverAccept({ topics: ['list:1'] }); // list:secret was named at connect but not joined
    ws.serverSend({ error: 'Forbidden', topic: 'list:secret' });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ source: 'server', message: 'Forbidden', topic: 'list:secret' }));
    expect([a.state, b.state]).toEqual(['failed', 'failed']);
    expect(a.error).toMatchObject({ message: 'Forbidden', temporary: false });
    await expect(a.ready()).rejects.toMatchObject({ message: 'Forbidden' });
    // A new holder of the same name (say after a token with more grants) is not clobbered
    // by the old holders' releases.
    const c = client.subscribe('list:secret');
    a.unsubscribe();
    b.unsubscribe();
    expect(client.topics).toEqual(['list:1', 'list:secret']);
    expect(c.state).toBe('subscribing');
    ws.serverClose(1006);
    await nextAttempt(closes[0].retryInMs!);
    expect(FakeSocket.last.query.get('topics')).toBe('list:1,list:secret');
  });

  it('paces subscribes under the server burst, so many topics never trip 4029', async () => {
    const { client } = setup({ messageBurst: 10, messageRate: 5 });
    const ws = await start(client);
    ws.serverAccept();
    for (let i = 0; i < 30; i++) client.subscribe(`list:${i}`);
    expect(ws.sent).toHaveLength(10);
    h.clock.advance(1000);
    expect(ws.sent).toHaveLength(15);
    h.clock.advance(3000);
    expect(ws.sent).toHaveLength(30);
  });

  it('caps topics at maxSubscriptions: the extra one fails locally', async () => {
    const { client } = setup({ maxSubscriptions: 2 });
    client.subscribe('a');
    client.subscribe('b');
    const c = client.subscribe('c');
    expect(c.state).toBe('failed');
    expect(c.error).toMatchObject({ message: 'Too many subscriptions' });
    const ws = await start(client);
    expect(ws.query.get('topics')).toBe('a,b');
  });

  it('the user stream is a subscription too', async () => {
    const { client, closes } = setup();
    const events: unknown[] = [];
    client.user.on('event', (u) => events.push(u.task.id));
    const ws = await start(client);
    expect(client.user.state).toBe('subscribing');
    const ready = client.user.ready();
    ws.serverAccept();
    await ready;
    ws.serverSend({ type: 'task_update', event: 'task.created', task: { id: 7 }, id: 'e1' });
    expect(events).toEqual([7]);
    ws.serverClose(1006);
    expect(client.user.state).toBe('subscribing');
    await nextAttempt(closes[0].retryInMs!);
    FakeSocket.last.serverAccept();
    expect(client.user.state).toBe('subscribed');
  });
});

describe('events, dedupe and resume', () => {
  const update = (id: string, taskId = 't1') => ({
    type: 'task_update',
    event: 'task.created',
    task: { id: taskId, title: 'x' },
    id,
    timestamp: '2025-01-01T00:00:00Z',
  });

  it('delivers task and topic events once per id', async () => {
    const onTaskUpdate = vi.fn();
    const onTopicEvent = vi.fn();
    const { client } = setup({ onTaskUpdate, onTopicEvent });
    const ws = await start(client);
    ws.serverAccept();
    ws.serverSend(update('e1'));
    ws.serverSend(update('e1'));
    ws.serverSend(update('e2', 't2'));
    ws.serverSend({ topic: 'list:1', event: 'ADDED', data: { n: 1 }, id: 'e3' });
    ws.serverSend({ topic: 'list:1', event: 'ADDED', data: { n: 1 }, id: 'e3' });
    ws.serverSend({ action: 'subscribed', topic: 'list:1' });
    expect(onTaskUpdate).toHaveBeenCalledTimes(2);
    expect(onTopicEvent).toHaveBeenCalledTimes(1);
    expect(onTopicEvent).toHaveBeenCalledWith({ topic: 'list:1', event: 'ADDED', data: { n: 1 }, id: 'e3' });
    expect(client.lastEventId).toBe('e3');
  });

  it('always delivers events without an id', async () => {
    const onTaskUpdate = vi.fn();
    const { client } = setup({ onTaskUpdate });
    const ws = await start(client);
    ws.serverAccept();
    const { id: _drop, ...noId } = update('x');
    ws.serverSend(noId);
    ws.serverSend(noId);
    expect(onTaskUpdate).toHaveBeenCalledTimes(2);
    expect(client.lastEventId).toBeNull();
  });

  it('remembers only the most recent ids (LRU)', async () => {
    const onTaskUpdate = vi.fn();
    const { client } = setup({ onTaskUpdate, dedupeSize: 2 });
    const ws = await start(client);
    ws.serverAccept();
    for (const id of ['a', 'b', 'c', 'a']) ws.serverSend(update(id));
    expect(onTaskUpdate).toHaveBeenCalledTimes(4); // 'a' was evicted by 'c'
    ws.serverSend(update('c'));
    expect(onTaskUpdate).toHaveBeenCalledTimes(4);
  });

  it('ignores garbage and reports it', async () => {
    const onError = vi.fn();
    const { client } = setup({ onError });
    const ws = await start(client);
    ws.serverAccept();
    ws.serverSend('not json');
    ws.serverSend('[1,2]');
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0][0]).toMatchObject({ source: 'protocol' });
    expect(client.status).toBe('connected');
  });

  it('reconnects with since=<last event id> and skips resync when the server resumes', async () => {
    const resync = vi.fn();
    const { client, closes } = setup({ resync });
    const ws = await start(client);
    ws.serverAccept();
    ws.serverSend(update('1700000000000-0'));
    ws.serverSend(update('1700000000001-0', 't2'));
    ws.serverClose(1006);
    await nextAttempt(closes[0].retryInMs!);
    const ws2 = FakeSocket.last;
    expect(ws2.query.get('since')).toBe('1700000000001-0');
    expect(ws2.query.get('token')).toBe('tok2');
    ws2.serverAccept({ resumed: true });
    expect(resync).not.toHaveBeenCalled();
  });

  it('calls resync() when the server does not confirm the resume', async () => {
    const resync = vi.fn();
    const { client, closes } = setup({ resync });
    const ws = await start(client);
    ws.serverAccept();
    expect(resync).not.toHaveBeenCalled(); // first connection: the app loads its own state
    ws.serverSend(update('e1'));
    ws.serverClose(1006);
    await nextAttempt(closes[0].retryInMs!);
    FakeSocket.last.serverAccept({ resumed: false });
    expect(resync).toHaveBeenCalledTimes(1);
  });

  it('calls resync() once on resync_required, also right after the handshake', async () => {
    const resync = vi.fn();
    const { client, closes } = setup({ resync });
    const ws = await start(client);
    ws.serverAccept();
    ws.serverSend({ type: 'resync_required' });
    expect(resync).toHaveBeenCalledTimes(1); // mid-session request
    ws.serverClose(1006);
    await nextAttempt(closes[0].retryInMs!);
    const ws2 = FakeSocket.last;
    ws2.serverAccept({ resumed: false });
    ws2.serverSend({ type: 'resync_required' });
    expect(resync).toHaveBeenCalledTimes(2); // handshake + resync_required coalesced
    ws2.serverSend(update('e9'));
    ws2.serverSend({ type: 'resync_required' });
    expect(resync).toHaveBeenCalledTimes(3);
  });

  it('omits since when resume is disabled', async () => {
    const { client, closes } = setup({ resume: false });
    const ws = await start(client);
    ws.serverAccept();
    ws.serverSend(update('e1'));
    ws.serverClose(1006);
    await nextAttempt(closes[0].retryInMs!);
    expect(FakeSocket.last.query.has('since')).toBe(false);
  });
});

describe('tokens', () => {
  it('asks for a fresh token after 4001 before reconnecting', async () => {
    const { client, getToken, closes } = setup();
    const ws = await start(client);
    expect(getToken).toHaveBeenLastCalledWith({ reason: 'initial', forceRefresh: false });
    ws.serverAccept();
    ws.serverClose(4001, 'Unauthorized');
    expect(getToken).toHaveBeenCalledTimes(1);
    await nextAttempt(closes[0].retryInMs!);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(getToken).toHaveBeenLastCalledWith({ reason: 'unauthorized', forceRefresh: true });
    expect(FakeSocket.last.query.get('token')).toBe('tok2');
    FakeSocket.last.serverAccept();
    FakeSocket.last.serverClose(1006);
    await nextAttempt(closes[1].retryInMs!);
    expect(getToken).toHaveBeenLastCalledWith({ reason: 'reconnect', forceRefresh: false });
  });

  it('stops when getToken() returns null: failed, no retry', async () => {
    const getToken = vi.fn(async () => null);
    const { client } = setup({ getToken });
    client.connect();
    await flush();
    expect(client.status).toBe('failed');
    expect(client.failure).toMatchObject({ source: 'token', temporary: false });
    h.clock.advance(10 * 60_000);
    await flush();
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(FakeSocket.instances).toHaveLength(0);
  });

  it('retries with backoff when getToken() fails or returns nothing', async () => {
    const onError = vi.fn();
    let calls = 0;
    const { client, closes } = setup({
      onError,
      getToken: async () => {
        calls++;
        if (calls === 1) throw new Error('auth service down');
        if (calls === 2) return '';
        return 'good';
      },
    });
    client.connect();
    await flush();
    expect(onError).toHaveBeenLastCalledWith(expect.objectContaining({ source: 'token', message: 'auth service down' }));
    expect(FakeSocket.instances).toHaveLength(0);
    expect(client.status).toBe('disconnected');
    await nextAttempt(h.clock.requested.at(-1)!);
    expect(onError).toHaveBeenCalledTimes(2);
    await nextAttempt(h.clock.requested.at(-1)!);
    expect(FakeSocket.last.query.get('token')).toBe('good');
    expect(closes).toHaveLength(0);
  });

  it('gives up on a getToken() that never settles and tries again', async () => {
    const onError = vi.fn();
    let calls = 0;
    const { client } = setup({
      onError,
      connectTimeoutMs: 5000,
      getToken: () => (++calls === 1 ? new Promise<string>(() => {}) : 'good'),
    });
    client.connect();
    await flush();
    expect(client.status).toBe('connecting');
    h.clock.advance(5000);
    expect(onError).toHaveBeenLastCalledWith(expect.objectContaining({ source: 'token', message: 'getToken() timed out' }));
    expect(client.status).toBe('disconnected');
    await nextAttempt(h.clock.requested.at(-1)!);
    expect(FakeSocket.last.query.get('token')).toBe('good');
  });

  it('refreshToken() sends an auth message on the live connection', async () => {
    const { client, getToken } = setup();
    const ws = await start(client);
    ws.serverAccept();
    await expect(client.refreshToken()).resolves.toBe(true);
    expect(getToken).toHaveBeenLastCalledWith({ reason: 'refresh', forceRefresh: true });
    expect(ws.sent.at(-1)).toEqual({ type: 'auth', token: 'tok2' });
  });
});

describe('browser signals', () => {
  it('goes offline on the offline event and reconnects at once when online', async () => {
    const { client, closes } = setup({}, () => 0.999);
    const ws = await start(client);
    ws.serverAccept();
    h.online.value = false;
    h.network.dispatch('offline');
    expect(client.status).toBe('offline');
    expect(ws.closedWith?.code).toBe(1000);
    expect(closes[0]).toMatchObject({ code: 1000, reason: 'offline' });
    h.clock.advance(5_000);
    await flush();
    expect(FakeSocket.instances).toHaveLength(1);
    h.online.value = true;
    h.network.dispatch('online');
    expect(client.status).toBe('connecting');
    await flush();
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last.serverAccept();
    expect(client.status).toBe('connected');
  });

  it('starts the backoff over after coming back online', async () => {
    const { client, closes } = setup({}, () => 0.999);
    await start(client);
    for (let i = 0; i < 4; i++) {
      FakeSocket.last.serverClose(1006);
      await nextAttempt(closes[i].retryInMs!);
    }
    h.network.dispatch('offline');
    h.network.dispatch('online');
    await flush();
    FakeSocket.last.serverClose(1006);
    expect(closes.at(-1)!.retryInMs).toBe(999);
  });

  it('starts offline when the browser says so, but keeps probing slowly', async () => {
    const { client } = setup({ backoffCapMs: 30_000 }, () => 0);
    h.online.value = false;
    client.connect();
    await flush();
    expect(client.status).toBe('offline');
    expect(FakeSocket.instances).toHaveLength(0);
    await nextAttempt(15_000); // half the cap + jitter: navigator.onLine is only a hint
    expect(FakeSocket.instances).toHaveLength(1);
    FakeSocket.last.serverAccept();
    expect(client.status).toBe('connected');
  });

  it('reconnects immediately when the tab becomes visible while disconnected', async () => {
    const { client, closes } = setup({}, () => 0.999);
    await start(client);
    for (let i = 0; i < 5; i++) {
      FakeSocket.last.serverClose(1006);
      await nextAttempt(closes[i].retryInMs!);
    }
    FakeSocket.last.serverClose(1006);
    expect(closes.at(-1)!.retryInMs).toBeGreaterThan(20_000);
    h.visibility.visibilityState = 'hidden';
    h.visibility.dispatch('visibilitychange');
    await flush();
    expect(FakeSocket.instances).toHaveLength(6);
    h.visibility.visibilityState = 'visible';
    h.visibility.dispatch('visibilitychange');
    await flush();
    expect(FakeSocket.instances).toHaveLength(7);
  });

  it('checks liveness with a ping when the tab becomes visible while connected', async () => {
    const { client, closes } = setup({ heartbeatIntervalMs: 25_000, heartbeatTimeoutMs: 10_000 });
    const ws = await start(client);
    ws.serverAccept();
    h.clock.advance(1_000);
    h.visibility.dispatch('visibilitychange');
    expect(ws.sent.at(-1)).toEqual({ type: 'ping' });
    h.clock.advance(10_000);
    expect(closes[0]).toMatchObject({ code: 4000, reason: 'heartbeat timeout' });
  });
});
