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
