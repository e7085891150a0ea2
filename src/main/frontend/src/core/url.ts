/**
 * Appends the token, topics and resume point to the endpoint. Topics with a comma cannot be
 * named in the URL (the client subscribes to them with a message instead).
 */
export function buildSocketUrl(base: string, token: string | null, since?: string | null, topics: readonly string[] = []): string {
  const q: string[] = [];
  if (token) q.push('token=' + encodeURIComponent(token));
  if (topics.length) q.push('topics=' + topics.map(encodeURIComponent).join(','));
  if (since) q.push('since=' + encodeURIComponent(since));
  return q.length ? base + (base.includes('?') ? '&' : '?') + q.join('&') : base;
}

/** ws(s)://<same host>/ws for a page served by the tasksync server itself. */
export function wsUrlFromLocation(location: { protocol: string; host: string }, path = '/ws'): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}

/** The SSE endpoint beside a WebSocket one: ws→http, wss→https, a trailing /ws → /sse. */
export function sseUrlFromWsUrl(url: string): string {
  return url.replace(/^ws/, 'http').replace(/\/ws(?=$|\?)/, '/sse');
}
