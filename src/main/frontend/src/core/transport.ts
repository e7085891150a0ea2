import type { TaskSyncEnv } from './env';
import { ABNORMAL, type TransportName } from './types';
import { buildSocketUrl } from './url';

/** What a transport reports to the client session; it never interprets messages itself. */
export interface TransportHandlers {
  /** The connection is up; the server's welcome frame is still to come. */
  open(): void;
  /** Proof of life without a message (an SSE comment). */
  alive(): void;
  /** One server message (a JSON text). */
  message(data: string): void;
  /** The connection ended (called once; not after the client's own close()). */
  close(code: number, reason: string): void;
}

/** Where and how to connect: the same for every transport. */
export interface ConnectRequest {
  /** Endpoint for this transport (e.g. `wss://host/ws` or `https://host/sse`). */
  url: string;
  token: string;
  /** Topics to join at connect. */
  topics: readonly string[];
  /** Those of `topics` whose presence is watched from the start (`presence=`). */
  presence: readonly string[];
  /** Resume point: the id of the last event seen, from any stream. */
  since: string | null;
}

/** One connection. */
export interface Transport {
  /** What it runs over; may change during its life (SSE's background WebSocket taking over). */
  readonly name: TransportName;
  /** False for receive-only transports (SSE): subscribing then means reconnecting. */
  readonly duplex: boolean;
  /** Sends one client message; false when it could not be sent. */
  send(data: string): boolean;
  /** Closes without calling handlers.close. */
  close(code: number, reason: string): void;
}

/** Opens connections: the client's `transport` option. */
export interface TransportFactory {
  open(request: ConnectRequest, handlers: TransportHandlers, env: TaskSyncEnv): Transport;
}

/** WebSocket: the token, topics and resume point travel in the query string (browsers cannot set headers). */
export const webSocketTransport: TransportFactory = {
  open({ url, token, topics, presence, since }, h, env) {
    const ws = new env.WebSocket(buildSocketUrl(url, token, since, topics, presence));
    ws.onopen = () => h.open();
    ws.onmessage = (ev) => h.message(String(ev.data));
    ws.onclose = (ev) => h.close(ev.code ?? ABNORMAL, ev.reason ?? '');
    return {
      name: 'websocket',
      duplex: true,
      send(data) {
        if (ws.readyState !== 1 /* OPEN */) return false;
        try {
          ws.send(data);
          return true;
        } catch {
          return false;
        }
      },
      close(code, reason) {
        ws.onopen = ws.onmessage = ws.onclose = null;
        try {
          ws.close(code, reason);
        } catch {
          // already closing
        }
      },
    };
  },
};
