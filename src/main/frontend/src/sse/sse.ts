import { buildSocketUrl, webSocketTransport, type Transport, type TransportFactory, type TransportHandlers, type TransportName } from '@tasksync/client';

/** One Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Incremental `text/event-stream` parser (the WHATWG rules the client needs): feed it chunks
 * as they arrive, in any split; it calls `onEvent` per dispatched event and `onComment` per
 * comment line (`: ping`).
 */
export class SseParser {
  private buf = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  constructor(
    private readonly onEvent: (e: SseEvent) => void,
    private readonly onComment: () => void = () => {},
  ) {}

  push(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.search(/\r\n|\r|\n/)) >= 0) {
      // A lone \r at the end of a chunk may be the first half of \r\n.
      if (this.buf[nl] === '\r' && nl === this.buf.length - 1) break;
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + (this.buf.startsWith('\r\n', nl) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onEvent({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      this.event = '';
      this.data = [];
      return;
    }
    if (line[0] === ':') return this.onComment();
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}

/** HTTP status of a refused SSE connection → the close code a WebSocket would have got (CloseCode in `@tasksync/client/helpers`). */
const STATUS_CODES: Record<number, number> = { 401: 4001, 403: 4003, 429: 4029, 503: 1001 };

/**
 * One SSE connection, over `fetch()` streaming rather than `EventSource`: it sees the HTTP
 * status of a refusal (401/403/429/503 → the WebSocket close codes), sends the token as
 * `Authorization: Bearer` (never in the URL) and `Last-Event-ID` itself, and leaves
 * reconnecting to the client's own backoff.
 */
const sseStream: TransportFactory = {
    open({ url, token, topics, presence, since }, h, env) {
      const abort = new AbortController();
      let done = false;
      const end = (code: number, reason: string) => {
        if (done) return;
        done = true;
        abort.abort();
        h.close(code, reason);
      };
      const headers: Record<string, string> = { Accept: 'text/event-stream', Authorization: `Bearer ${token}` };
      if (since) headers['Last-Event-ID'] = since;
      (async () => {
        const res = await (env.fetch ?? fetch)(buildSocketUrl(url, null, null, topics, presence), { headers, cache: 'no-store', signal: abort.signal });
        if (!res.ok || !res.body) {
          let body: { code?: unknown; reason?: unknown } = {};
          try {
            body = await res.json();
          } catch {
            // not JSON: the status alone decides
          }
          const code = typeof body.code === 'number' ? body.code : (STATUS_CODES[res.status] ?? 1006);
          return end(code, typeof body.reason === 'string' ? body.reason : `HTTP ${res.status}`);
        }
        h.open();
        const parser = new SseParser(
          ({ event, data }) => {
            if (done) return;
            if (event !== 'close') return h.message(data);
            let c: { code?: unknown; reason?: unknown } = {};
            try {
              c = JSON.parse(data);
            } catch {
              // a close without a readable body is still a close
            }
            end(typeof c.code === 'number' ? c.code : 1000, typeof c.reason === 'string' ? c.reason : '');
          },
          () => done || h.alive(),
        );
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done: eof } = await reader.read();
          if (eof || done) break;
          parser.push(value);
        }
        end(1006, 'stream ended');
      })().catch((err: unknown) => end(1006, err instanceof Error ? err.message : 'fetch failed'));
      return {
        name: 'sse',
        duplex: false,
        send: () => false,
        close() {
          done = true;
          abort.abort();
        },
      };
    },
};

/** Options of {@link sseTransport}. */
export interface SseOptions {
  /** SSE endpoint; default: the client's `url` with ws→http and a trailing `/ws` → `/sse`. */
  url?: string | (() => string);
  /** Always SSE, never a WebSocket (default false). */
  force?: boolean;
  /** WebSocket attempts that fail without a welcome (1006, timeouts) before SSE is used (default 2). */
  fallbackAfter?: number;
  /**
   * While on SSE, try one WebSocket in the background this long after each SSE welcome (default
   * 300000 ms); its welcome moves the connection back to WebSocket (resuming from the last
   * event), a failure keeps SSE and doubles the wait (up to 16×).
   */
  wsRetryAfterMs?: number;
  /** How long that background WebSocket may take to its welcome (default 15000 ms). */
  connectTimeoutMs?: number;
}

const DEFAULTS = { fallbackAfter: 2, wsRetryAfterMs: 300_000, connectTimeoutMs: 15_000 };

/** Closes that say nothing about the server refusing us: they count towards the fallback when no welcome came. */
const NETWORK: number[] = [1006, 4000, 1005, 1015];

/** The SSE endpoint beside a WebSocket one: ws→http, wss→https, a trailing /ws → /sse. */
export function sseUrlFromWsUrl(url: string): string {
  return url.replace(/^ws/, 'http').replace(/\/ws(?=$|\?)/, '/sse');
}

const parse = (raw: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(raw);
  } catch {
    // not JSON: the client reports it
  }
};

/**
 * WebSocket with a fallback to Server-Sent Events, for the client's `transport` option. It
 * uses WebSocket first and switches to `GET /sse?topics=…` after `fallbackAfter` WebSocket
 * attempts failed without a welcome (a refusal such as 4001 or 4029 proves WebSockets work and
 * does not count). While on SSE it stays there across reconnects, and tries one WebSocket in the
 * background `wsRetryAfterMs` after each SSE welcome, with the same topics and `since` = the last
 * event id; when its welcome confirms the resume, it becomes the connection and the stream is
 * closed. One instance per client: it counts that client's failures.
 */
export function sseTransport(options: SseOptions = {}): TransportFactory {
  const o = { ...options } as SseOptions & typeof DEFAULTS;
  for (const k in DEFAULTS) {
    const v = (o[k as keyof typeof DEFAULTS] ??= DEFAULTS[k as keyof typeof DEFAULTS]);
    if (!(v >= 0 && v < 2 ** 31)) throw new RangeError(`tasksync: sseTransport option ${k} must be a number from 0 to 2147483647, got ${v}`);
  }
  /** WebSocket attempts failed without a welcome; background WebSockets failed in a row. */
  let failures = 0;
  let probeFailures = 0;
  return {
    open(request, h, env) {
      let name: TransportName = o.force || failures >= o.fallbackAfter ? 'sse' : 'websocket';
      let since = request.since;
      let welcomed = false;
      let probe: Transport | null = null;
      let timer: unknown = null;
      const clear = () => timer !== null && env.clearTimeout(timer);
      const handlers: TransportHandlers = {
        ...h,
        message(raw) {
          const m = parse(raw);
          if (typeof m?.id === 'string') since = m.id;
          if (m?.type === 'connected') {
            welcomed = true;
            if (name === 'websocket') failures = 0;
            else schedule();
          }
          h.message(raw);
        },
        close(code, reason) {
          clear();
          probe?.close(1000, reason);
          if (!welcomed && name === 'websocket' && NETWORK.includes(code)) failures++;
          h.close(code, reason);
        },
      };
      const schedule = () => {
        clear();
        if (!o.force) timer = env.setTimeout(openProbe, Math.min(o.wsRetryAfterMs * 2 ** probeFailures, o.wsRetryAfterMs * 16));
      };
      /** One WebSocket beside the stream; a close, a refusal or no welcome in time: stay on SSE, try later. */
      const openProbe = () => {
        const from = since;
        const failed = () => {
          if (probe !== p) return;
          p?.close(1000, 'staying on sse');
          probe = null;
          probeFailures++;
          schedule();
        };
        let p: Transport | null = null;
        try {
          p = probe = webSocketTransport.open(
          { ...request, since: from },
          {
            ...handlers,
            message(raw) {
              if (conn === p) return handlers.message(raw);
              const m = parse(raw);
              if (probe !== p) return;
              if (m?.type !== 'connected' || (from !== null && m.resumed !== true)) return failed();
              // Events delivered over both are dropped by id in the client: none lost, none twice.
              probe = null;
              probeFailures = failures = 0;
              clear();
              conn.close(1000, 'back to websocket');
              conn = p!;
              name = 'websocket';
              handlers.message(raw);
            },
            close(code, reason) {
              if (conn === p) handlers.close(code, reason);
              else failed();
            },
          },
          env,
          );
        } catch {
          return failed(); // no WebSocket at all (p and probe are both null)
        }
        timer = env.setTimeout(failed, o.connectTimeoutMs);
      };
      const url = name === 'sse' ? resolveUrl(o.url) ?? sseUrlFromWsUrl(request.url) : request.url;
      let conn: Transport;
      try {
        conn = (name === 'sse' ? sseStream : webSocketTransport).open({ ...request, url }, handlers, env);
      } catch (err) {
        // No WebSocket constructor (or it refused the URL): as good as a blocked upgrade.
        if (name === 'websocket') failures++;
        throw err;
      }
      return {
        get name() {
          return name;
        },
        get duplex() {
          return conn.duplex;
        },
        send: (data) => conn.send(data),
        close(code, reason) {
          clear();
          probe?.close(code, reason);
          conn.close(code, reason);
        },
      };
    },
  };
}

function resolveUrl(url: string | (() => string) | undefined): string | undefined {
  return typeof url === 'function' ? url() : url;
}
