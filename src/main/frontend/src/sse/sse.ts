import { buildSocketUrl, CloseCode, type TransportFactory } from '@tasksync/client';

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

/** HTTP status of a refused SSE connection → the close code a WebSocket would have got. */
const STATUS_CODES: Record<number, number> = { 401: CloseCode.UNAUTHORIZED, 403: CloseCode.FORBIDDEN, 429: CloseCode.RATE_LIMITED, 503: CloseCode.GOING_AWAY };

/**
 * The SSE transport, over `fetch()` streaming rather than `EventSource`: it sees the HTTP
 * status of a refusal (401/403/429/503 → the WebSocket close codes), sends the token as
 * `Authorization: Bearer` (never in the URL) and `Last-Event-ID` itself, and leaves
 * reconnecting to the client's own backoff. Pass it as the `sse` option.
 */
export function sseTransport(): TransportFactory {
  return {
    name: 'sse',
    open({ url, token, topics, since }, h, env) {
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
        const res = await env.fetch(buildSocketUrl(url, null, null, topics), { headers, cache: 'no-store', signal: abort.signal });
        if (!res.ok || !res.body) {
          let body: { code?: unknown; reason?: unknown } = {};
          try {
            body = await res.json();
          } catch {
            // not JSON: the status alone decides
          }
          const code = typeof body.code === 'number' ? body.code : (STATUS_CODES[res.status] ?? CloseCode.ABNORMAL);
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
            end(typeof c.code === 'number' ? c.code : CloseCode.NORMAL, typeof c.reason === 'string' ? c.reason : '');
          },
          () => done || h.alive(),
        );
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done: eof } = await reader.read();
          if (eof || done) break;
          parser.push(value);
        }
        end(CloseCode.ABNORMAL, 'stream ended');
      })().catch((err: unknown) => end(CloseCode.ABNORMAL, err instanceof Error ? err.message : 'fetch failed'));
      return {
        duplex: false,
        send: () => false,
        close() {
          done = true;
          abort.abort();
        },
      };
    },
  };
}
