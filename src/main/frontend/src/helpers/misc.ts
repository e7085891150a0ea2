import { backoffCeiling, fullJitter } from '@tasksync/client';

/** Close codes the server uses, plus the one this client uses for dead connections. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  /** No close frame: network failure (what a blocked WebSocket gets). */
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  TOO_BIG: 1009,
  /** Local: heartbeat, connect or welcome timeout. */
  DEAD: 4000,
  UNAUTHORIZED: 4001,
  IDLE: 4002,
  FORBIDDEN: 4003,
  SLOW_CONSUMER: 4008,
  RATE_LIMITED: 4029,
} as const;

/** ws(s)://<same host>/ws for a page served by the tasksync server itself. */
export function wsUrlFromLocation(location: { protocol: string; host: string }, path = '/ws'): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}

/** A full-jitter backoff delay: `fullJitter(backoffCeiling(attempt, baseMs, capMs), random)`. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  return fullJitter(backoffCeiling(attempt, baseMs, capMs), random);
}
