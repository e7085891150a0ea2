import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { TaskSyncOptions } from '../src/core';
import { FakeSocket, flush, makeClient, start, type Harness } from './fakes';

let h: Harness;

function setup(extra: Partial<TaskSyncOptions> = {}, random: () => number = () => 0.999) {
  const made = makeClient(extra, random);
  h = made.h;
  return made;
}

async function after(ms: number): Promise<void> {
  h.clock.advance(ms);
  await flush();
}

beforeEach(() => {
  FakeSocket.instances = [];
});

describe('close codes', () => {
  it.each([
    [1009, 'Message too big'],
    [4003, 'Origin not allowed'],
    [1002, 'Protocol error'],
    [1007, 'Invalid compressed payload'],
  ])('%i is terminal: failed with the reason, no retry', async (code, reason) => {
    const { client, closes } = setup({ topics: ['list:1'] });
    const sub = client.subscribe('list:2');
    const ws = await start(client);
    ws.serverAccept();
    ws.serverClose(code, reason);
    expect(client.status).toBe('failed');
    expect(client.failure).toMatchObject({ code, message: reason, temporary: false });
    expect(closes[0]).toEqual({ code, reason, retryInMs: null });
    expect(sub.state).toBe('failed');
    expect(client.user.state).toBe('failed');
    await after(10 * 60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    // connect() starts over
    client.connect();
    await flush();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(sub.state).toBe('subscribing');
  });

  it('4001: one forced token refresh straight away, then backoff', async () => {
    const { client, getToken, closes } = setup();
    const ws = await start(client);
    ws.serverAccept();
    ws.serverClose(4001, 'Unauthorized: token expired');
    expect(closes[0].retryInMs).toBe(0);
    await after(0);
    expect(getToken).toHaveBeenLastCalledWith({ reason: 'unauthorized', forceRefresh: true });
    FakeSocket.last.serverOpen();
    FakeSocket.last.serverClose(4001, 'Unauthorized'); // the fresh token is refused too
    expect(closes[1].retryInMs).toBeGreaterThan(0);
    await after(closes[1].retryInMs!);
    expect(getToken).toHaveBeenLastCalledWith({ reason: 'unauthorized', forceRefresh: true });
    expect(client.status).toBe('connecting');
  });

  it('4029: a slower backoff than other closes', async () => {
    const { client, closes } = setup({}, () => 0);
    const ws = await start(client);
    ws.serverOpen();
    ws.serverClose(4029, 'Too many connections');
    // equal jitter over a 10 s window: never sooner than 5 s, even with random() = 0
    expect(closes[0].retryInMs).toBe(5_000);
    await after(5_000);
    FakeSocket.last.serverClose(1006);
    expect(closes[1].retryInMs).toBe(0); // full jitter for a plain network failure
  });

  it('1001: a jittered quick reconnect, within goingAwayJitterMs however long the backoff grew', async () => {
    const { client, closes } = setup({ goingAwayJitterMs: 3000 });
    await start(client);
    for (let i = 0; i < 6; i++) {
      FakeSocket.last.serverClose(1006);
      await after(closes.at(-1)!.retryInMs!);
    }
    FakeSocket.last.serverAccept();
    FakeSocket.last.serverClose(1001, 'Going away');
    expect(closes.at(-1)!.retryInMs).toBeLessThan(3000);
  });
});

describe('token refresh ahead of expiry', () => {
  const jwt = (expSeconds: number) => `h.${btoa(JSON.stringify({ sub: 'u1', exp: expSeconds })).replace(/=+$/, '')}.s`;

  it('sends {"type":"auth"} before exp and follows the server\'s expires_at', async () => {
    let n = 0;
    const getToken = vi.fn(async () => jwt(1_000 + 120 * ++n));
    const { client } = setup({ getToken, refreshAheadMs: 30_000, heartbeatIntervalMs: 600_000 });
    h.clock.now = 1_000_000; // ms; the first token expires at 1_120 s
    const ws = await start(client);
    ws.serverAccept();
    await after(89_999);
    expect(ws.sent.filter((m) => m.type === 'auth')).toHaveLength(0);
    await after(1);
    expect(ws.sent.filter((m) => m.type === 'auth')).toEqual([{ type: 'auth', token: jwt(1_240) }]);
    expect(getToken).toHaveBeenLastCalledWith({ reason: 'refresh', forceRefresh: true });
    ws.serverSend({ type: 'authenticated', expires_at: new Date(1_240_000).toISOString() });
    await after(120_000);
    expect(ws.sent.filter((m) => m.type === 'auth')).toHaveLength(2);
    expect(client.status).toBe('connected');
  });

  it('an expiry beyond 2^31-1 ms does not fire at once', async () => {
    const { client } = setup({ getToken: async () => jwt(10 ** 10), heartbeatIntervalMs: 600_000 });
    const ws = await start(client);
    ws.serverAccept();
    await after(60_000);
    expect(ws.sent.filter((m) => m.type === 'auth')).toHaveLength(0);
    expect(h.clock.requested.every((ms) => ms <= 2 ** 31 - 1)).toBe(true);
    void client;
  });
});

describe('options are validated', () => {
  it.each([
    [{ heartbeatIntervalMs: 2 ** 31 }, /heartbeatIntervalMs must be a number of milliseconds from 0 to 2147483647, got 2147483648/],
    [{ connectTimeoutMs: -1 }, /connectTimeoutMs/],
    [{ backoffCapMs: Number.NaN }, /backoffCapMs/],
    [{ maxSubscriptions: 0 }, /maxSubscriptions must be an integer ≥ 1/],
    [{ url: 42 }, /url/],
  ])('%o is refused', (bad, message) => {
    expect(() => setup(bad as Partial<TaskSyncOptions>)).toThrow(message);
  });
});
