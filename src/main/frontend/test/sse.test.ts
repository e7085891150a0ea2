import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTaskSyncClient, type CloseInfo, type TaskSyncOptions, type TokenRequest } from '../src/core';
import { SseParser, sseTransport, type SseEvent, type SseOptions } from '../src/sse';
import { FakeSocket, makeHarness, type Harness } from './fakes';

describe('SseParser', () => {
  it('parses events split anywhere, multi-line data, ids, comments and CRLF', () => {
    const got: SseEvent[] = [];
    let comments = 0;
    const p = new SseParser((e) => got.push(e), () => comments++);
    const text = ': ping\r\nevent: connected\r\ndata: {"type":"connected"}\r\n\r\nid: 7\nevent: task_update\ndata: {"a":\ndata: 1}\n\n:hb\n\ndata:x\n\n';
    for (const ch of text) p.push(ch); // one character at a time
    expect(got).toEqual([
      { event: 'connected', data: '{"type":"connected"}', id: undefined },
      { event: 'task_update', data: '{"a":\n1}', id: '7' },
      { event: 'message', data: 'x', id: '7' },
    ]);
    expect(comments).toBe(2);
  });
});

/** A fetch() whose responses the test writes: an SSE stream, or a refusal. */
class FakeSseServer {
  calls: { url: string; headers: Record<string, string>; push(text: string): void; end(): void; aborted: boolean }[] = [];
  refuse: { status: number; body?: object } | null = null;

  fetch = vi.fn(async (url: string, init: RequestInit) => {
    if (this.refuse) {
      const { status, body } = this.refuse;
      this.refuse = null;
      return new Response(body ? JSON.stringify(body) : 'nope', { status });
    }
    let ctl!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctl = c) });
    const call = {
      url,
      headers: init.headers as Record<string, string>,
      aborted: false,
      push: (text: string) => ctl.enqueue(new TextEncoder().encode(text)),
      end: () => ctl.close(),
    };
    init.signal?.addEventListener('abort', () => {
      call.aborted = true;
      try {
        ctl.error(new Error('aborted'));
      } catch {
        // closed already
      }
    });
    this.calls.push(call);
    return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
  });

  get last() {
    return this.calls[this.calls.length - 1];
  }

  greet(extra: object = {}) {
    this.last.push(`event: connected\ndata: ${JSON.stringify({ type: 'connected', user_id: 'u1', connection_id: 'c1', timestamp: 't', ...extra })}\n\n`);
  }
}

/** Real macrotasks: the stream reader needs several turns. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

let h: Harness;
let server: FakeSseServer;
let tokenRequests: TokenRequest[];

/** `extra`: client options, plus sseTransport()'s (force, fallbackAfter, wsRetryAfterMs). */
function setup(extra: Partial<TaskSyncOptions> & SseOptions = {}) {
  const { force, fallbackAfter, wsRetryAfterMs, ...rest } = extra;
  h = makeHarness(() => 0.5);
  server = new FakeSseServer();
  const closes: CloseInfo[] = [];
  let n = 0;
  tokenRequests = [];
  const client = createTaskSyncClient({
    url: 'wss://sync.example.com/ws',
    getToken: async (req) => {
      tokenRequests.push(req);
      return `tok${++n}`;
    },
    transport: sseTransport({ force, fallbackAfter, wsRetryAfterMs }),
    onClose: (c) => closes.push(c),
    ...rest,
    env: { ...h.env, fetch: server.fetch as unknown as typeof fetch, ...rest.env },
  });
  return { client, closes };
}

beforeEach(() => {
  FakeSocket.instances = [];
});

describe('SSE transport', () => {
  it("force: true connects over fetch with the token in a header, topics in the URL", async () => {
    const { client } = setup({ force: true, topics: ['list:1', 'list:2'] });
    client.connect();
    await settle();
    expect(FakeSocket.instances).toHaveLength(0);
    expect(server.last.url).toBe('https://sync.example.com/sse?topics=list%3A1,list%3A2');
    expect(server.last.headers.Authorization).toBe('Bearer tok1');
    expect(client.status).toBe('connecting');
    server.greet({ topics: ['list:1', 'list:2'] });
    await settle();
    expect(client.status).toBe('connected');
    expect(client.transport).toBe('sse');
  });

  it('delivers events, resumes with Last-Event-ID, and maps event: close to a close code', async () => {
    const updates: unknown[] = [];
    const { client, closes } = setup({ force: true, onTaskUpdate: (u) => updates.push(u.task.id) });
    client.connect();
    await settle();
    server.greet();
    server.last.push('id: e1\nevent: task_update\ndata: {"type":"task_update","event":"task.created","task":{"id":1},"id":"e1"}\n\n: ping\n\n');
    await settle();
    expect(updates).toEqual([1]);
    server.last.push('event: close\ndata: {"type":"close","code":1001,"reason":"Going away"}\n\n');
    await settle();
    expect(closes[0]).toMatchObject({ code: 1001, reason: 'Going away' });
    h.clock.advance(closes[0].retryInMs!);
    await settle();
    expect(server.calls).toHaveLength(2);
    expect(server.last.headers['Last-Event-ID']).toBe('e1');
    server.greet({ resumed: true });
    await settle();
    expect(client.status).toBe('connected');
  });

  it('an HTTP refusal is the close code in its JSON body (403 → 4003: failed)', async () => {
    const { client, closes } = setup({ force: true });
    server.refuse = { status: 403, body: { error: 'Forbidden', code: 4003, reason: 'Origin not allowed' } };
    client.connect();
    await settle();
    expect(closes[0]).toEqual({ code: 4003, reason: 'Origin not allowed', retryInMs: null });
    expect(client.status).toBe('failed');
  });

  it('an HTTP status without a JSON body still maps (429 → 4029)', async () => {
    const { client, closes } = setup({ force: true });
    server.refuse = { status: 429 };
    client.connect();
    await settle();
    expect(closes[0].code).toBe(4029);
    expect(client.status).toBe('disconnected');
  });

  it('subscribing after connect reconnects with the new topic list, resuming from the last event', async () => {
    const { client } = setup({ force: true, topics: ['list:1'] });
    client.connect();
    await settle();
    server.greet({ topics: ['list:1'] });
    server.last.push('data: {"topic":"list:1","event":"ADDED","data":{},"id":"e5"}\n\n');
    await settle();
    const sub = client.subscribe('list:2');
    expect(sub.state).toBe('subscribing');
    h.clock.advance(0);
    await settle();
    expect(server.calls[0].aborted).toBe(true);
    expect(server.last.url).toBe('https://sync.example.com/sse?topics=list%3A1,list%3A2');
    expect(server.last.headers['Last-Event-ID']).toBe('e5');
    server.greet({ topics: ['list:1', 'list:2'], resumed: true });
    await settle();
    expect(sub.state).toBe('subscribed');
  });

  it('falls back to SSE after fallbackAfter WebSocket failures without a welcome', async () => {
    const { client, closes } = setup({ fallbackAfter: 2 });
    client.connect();
    await settle();
    FakeSocket.last.serverClose(1006); // blocked upgrade
    h.clock.advance(closes[0].retryInMs!);
    await settle();
    expect(server.calls).toHaveLength(0);
    FakeSocket.last.serverClose(1006);
    h.clock.advance(closes[1].retryInMs!);
    await settle();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(server.calls).toHaveLength(1);
    server.greet();
    await settle();
    expect(client.status).toBe('connected');
    expect(client.transport).toBe('sse');
  });

  it('a WebSocket that cannot even be constructed counts towards the fallback', async () => {
    const throwing = class {
      constructor() {
        throw new Error('WebSocket is not available');
      }
    };
    const { client, closes } = setup({ fallbackAfter: 1, heartbeatIntervalMs: 600_000, env: { WebSocket: throwing as never } });
    client.connect();
    await settle();
    expect(closes[0]).toMatchObject({ code: 1006, reason: 'connect failed' });
    h.clock.advance(closes[0].retryInMs!);
    await settle();
    expect(server.calls).toHaveLength(1);
    server.greet();
    await settle();
    expect(client.transport).toBe('sse');
    // The background WebSocket cannot be constructed either: SSE stays, the wait doubles.
    h.clock.advance(300_000);
    await settle();
    expect(client.transport).toBe('sse');
    expect(client.status).toBe('connected');
  });

  it('a refused WebSocket (4001, 4029) does not count towards the fallback', async () => {
    const { client, closes } = setup({ fallbackAfter: 1 });
    client.connect();
    await settle();
    FakeSocket.last.serverOpen();
    FakeSocket.last.serverClose(4029, 'Too many connections');
    h.clock.advance(closes[0].retryInMs!);
    await settle();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(server.calls).toHaveLength(0);
  });

  it('refreshing the token over SSE reconnects with a forced fresh token, resuming', async () => {
    const { client } = setup({ force: true });
    client.connect();
    await settle();
    server.greet();
    server.last.push('data: {"type":"task_update","event":"task.created","task":{"id":1},"id":"e7"}\n\n');
    await settle();
    expect(await client.refreshToken()).toBe(true);
    await settle();
    expect(server.calls).toHaveLength(2);
    expect(server.last.headers.Authorization).toBe('Bearer tok2');
    expect(tokenRequests.at(-1)).toEqual({ reason: 'refresh', forceRefresh: true });
    expect(server.last.headers['Last-Event-ID']).toBe('e7');
  });

  it("a stream with the server's ping comment every 15 s is never declared dead (default timings)", async () => {
    const { client, closes } = setup({ force: true });
    client.connect();
    await settle();
    server.greet();
    await settle();
    for (let i = 0; i < 8; i++) {
      h.clock.advance(15_000);
      server.last.push(': ping\n\n');
      await settle();
    }
    expect(closes).toEqual([]);
    expect(client.status).toBe('connected');
  });

  it('a silent stream (no ping comment, no event) is declared dead', async () => {
    const { client, closes } = setup({ force: true, heartbeatIntervalMs: 20_000, heartbeatTimeoutMs: 10_000 });
    client.connect();
    await settle();
    server.greet();
    await settle();
    h.clock.advance(20_000);
    server.last.push(': ping\n\n');
    await settle();
    h.clock.advance(29_999); // a check at 40 s waits heartbeatInterval + heartbeatTimeout (30 s): longer than the server's 15 s
    expect(client.status).toBe('connected');
    h.clock.advance(40_000);
    expect(closes[0]).toMatchObject({ code: 4000, reason: 'heartbeat timeout' });
  });
});

describe('sseTransport() options', () => {
  it.each([{ wsRetryAfterMs: -1 }, { fallbackAfter: Number.NaN }, { connectTimeoutMs: 2 ** 31 }])('%o is refused', (bad) => {
    expect(() => sseTransport(bad)).toThrow(new RegExp(`sseTransport option ${Object.keys(bad)[0]} must be a number`));
  });
});

describe('back from SSE to WebSocket', () => {
  const task = (id: string) => `data: {"type":"task_update","event":"task.created","task":{"id":"${id}"},"id":"${id}"}\n\n`;

  /** WebSocket blocked once (fallbackAfter 1), then welcomed over SSE with list:1 joined. */
  async function onSse(extra: Partial<TaskSyncOptions> & SseOptions = {}) {
    const updates: string[] = [];
    const resyncs: number[] = [];
    const connected: string[] = [];
    const statuses: string[] = [];
    const { client, closes } = setup({
      fallbackAfter: 1,
      wsRetryAfterMs: 10_000,
      heartbeatIntervalMs: 600_000,
      topics: ['list:1'],
      onTaskUpdate: (u) => updates.push(String(u.task.id)),
      onConnected: (i) => connected.push(i.transport!),
      onStatusChange: (st) => statuses.push(st),
      resync: () => resyncs.push(1),
      ...extra,
    });
    const list = client.subscribe('list:1');
    const listStates: string[] = [];
    list.on('state', (st) => listStates.push(st));
    client.connect();
    await settle();
    FakeSocket.last.serverClose(1006);
    h.clock.advance(closes[0].retryInMs!);
    await settle();
    server.greet({ topics: ['list:1'] });
    server.last.push(task('e1'));
    await settle();
    expect(client.transport).toBe('sse');
    expect(client.status).toBe('connected');
    expect(FakeSocket.instances).toHaveLength(1);
    return { client, closes, updates, resyncs, connected, statuses, list, listStates };
  }

  it('after wsRetryAfterMs a background WebSocket resumes from the last event, takes over, and the stream closes: no event lost or doubled', async () => {
    const t = await onSse();
    h.clock.advance(9_999);
    expect(FakeSocket.instances).toHaveLength(1);
    h.clock.advance(1);
    const ws = FakeSocket.last;
    expect(FakeSocket.instances).toHaveLength(2);
    expect(ws.query.get('since')).toBe('e1');
    expect(ws.query.get('topics')).toBe('list:1');
    expect(ws.query.get('token')).toBe('tok2'); // the SSE connection's token
    // Published while the WebSocket is connecting: arrives over SSE, and is replayed over the socket.
    server.last.push(task('e2'));
    await settle();
    ws.serverAccept(); // resumed: true (since was sent), topics: ['list:1']
    ws.serverSend({ type: 'task_update', event: 'task.created', task: { id: 'e2' }, id: 'e2' });
    ws.serverSend({ type: 'task_update', event: 'task.created', task: { id: 'e3' }, id: 'e3' });
    await settle();
    expect(t.updates).toEqual(['e1', 'e2', 'e3']);
    expect(t.client.transport).toBe('websocket');
    expect(t.connected).toEqual(['sse', 'websocket']);
    expect(server.calls.at(-1)!.aborted).toBe(true);
    expect(t.statuses.slice(t.statuses.lastIndexOf('connected'))).toEqual(['connected']); // never left connected
    expect(t.closes).toHaveLength(1); // only the blocked WebSocket's
    expect(t.resyncs).toEqual([]);
    expect(t.listStates.at(-1)).toBe('subscribed');
    expect(t.listStates.filter((st) => st === 'subscribing')).toHaveLength(0);
    // Now duplex: a new topic is a subscribe message, not a reconnect.
    t.client.subscribe('list:2');
    expect(ws.sent).toContainEqual({ action: 'subscribe', topic: 'list:2' });
    expect(server.calls).toHaveLength(1);
    // A later drop of the WebSocket is handled as any other (backoff, WebSocket first).
    ws.serverClose(1006);
    expect(t.closes).toHaveLength(2);
    h.clock.advance(t.closes[1].retryInMs!);
    await settle();
    expect(FakeSocket.instances).toHaveLength(3);
    expect(FakeSocket.last.query.get('since')).toBe('e3');
  });

  it('presence asked for while on SSE (receive-only) reconnects the stream with presence=, and the background WebSocket watches it too', async () => {
    const t = await onSse();
    const sub = t.client.subscribe('list:1', { presence: true });
    expect(sub.state).toBe('subscribed');
    h.clock.advance(0);
    await settle();
    expect(server.calls).toHaveLength(2); // the stream again, now watching list:1
    expect(server.calls[0].aborted).toBe(true);
    const url = new URL(server.last.url);
    expect(url.searchParams.get('topics')).toBe('list:1');
    expect(url.searchParams.get('presence')).toBe('list:1');
    server.greet({ topics: ['list:1'], resumed: true });
    server.last.push(`event: presence_state\ndata: ${JSON.stringify({ type: 'presence_state', topic: 'list:1', users: [{ user_id: 'u1' }], count: 1 })}\n\n`);
    await settle();
    expect(sub.presence()).toEqual({ count: 1, users: [{ user_id: 'u1' }] });
    h.clock.advance(10_000);
    const ws = FakeSocket.last;
    expect(ws.query.get('presence')).toBe('list:1');
    ws.serverAccept();
    await settle();
    expect(t.client.transport).toBe('websocket');
    expect(ws.sent).toEqual([]); // watched from the start: nothing to ask
    ws.serverSend({ type: 'presence_state', topic: 'list:1', users: [{ user_id: 'u2' }], count: 1 });
    expect(sub.presence()).toEqual({ count: 1, users: [{ user_id: 'u2' }] });
  });

  it('a background WebSocket that fails stays on SSE, unnoticed, and is tried again after a doubled wait', async () => {
    const t = await onSse();
    h.clock.advance(10_000);
    FakeSocket.last.serverClose(1006);
    await settle();
    expect(t.client.transport).toBe('sse');
    expect(t.client.status).toBe('connected');
    expect(server.calls).toHaveLength(1);
    expect(server.last.aborted).toBe(false);
    expect(t.closes).toHaveLength(1);
    h.clock.advance(19_999);
    expect(FakeSocket.instances).toHaveLength(2);
    h.clock.advance(1);
    expect(FakeSocket.instances).toHaveLength(3);
    // No welcome within connectTimeoutMs: closed, SSE kept, next try after 40 s.
    h.clock.advance(15_000);
    expect(FakeSocket.last.closedWith).not.toBeNull();
    h.clock.advance(40_000 - 1);
    expect(FakeSocket.instances).toHaveLength(3);
    h.clock.advance(1);
    expect(FakeSocket.instances).toHaveLength(4);
    // A welcome that cannot resume (the server lost the events since e1) is no takeover either.
    FakeSocket.last.serverAccept({ resumed: false });
    await settle();
    expect(t.client.transport).toBe('sse');
    expect(FakeSocket.last.closedWith).not.toBeNull();
    expect(t.resyncs).toEqual([]);
    server.last.push(task('e2'));
    await settle();
    expect(t.updates).toEqual(['e1', 'e2']);
  });

  it('a new SSE connection (a topic added) stays on SSE and cancels the background WebSocket', async () => {
    const t = await onSse();
    h.clock.advance(10_000);
    const ws = FakeSocket.last;
    t.client.subscribe('list:2');
    h.clock.advance(0);
    await settle();
    expect(ws.closedWith).not.toBeNull();
    expect(FakeSocket.instances).toHaveLength(2); // no WebSocket first: still falling back
    expect(server.calls).toHaveLength(2);
    server.greet({ topics: ['list:1', 'list:2'], resumed: true });
    await settle();
    ws.serverAccept(); // too late: ignored
    await settle();
    expect(t.client.transport).toBe('sse');
    // The new stream schedules its own background WebSocket.
    h.clock.advance(10_000);
    expect(FakeSocket.instances).toHaveLength(3);
  });

  it('a takeover before any event (no since) is no resync: the stream was live until the switch', async () => {
    const resyncs: number[] = [];
    const { client, closes } = setup({ fallbackAfter: 1, wsRetryAfterMs: 10_000, heartbeatIntervalMs: 600_000, resync: () => resyncs.push(1) });
    client.connect();
    await settle();
    FakeSocket.last.serverClose(1006);
    h.clock.advance(closes[0].retryInMs!);
    await settle();
    server.greet();
    await settle();
    h.clock.advance(10_000);
    expect(FakeSocket.last.query.has('since')).toBe(false);
    FakeSocket.last.serverAccept(); // no `resumed`: nothing to resume from
    await settle();
    expect(client.transport).toBe('websocket');
    expect(resyncs).toEqual([]);
  });

  it("force: true never tries a WebSocket", async () => {
    const { client } = setup({ force: true, wsRetryAfterMs: 1_000, heartbeatIntervalMs: 600_000 });
    client.connect();
    await settle();
    server.greet();
    await settle();
    h.clock.advance(100_000);
    expect(FakeSocket.instances).toHaveLength(0);
  });
});
