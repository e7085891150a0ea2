/**
 * Appends the token, topics (and those of them watched for presence) and resume point to the
 * endpoint. Topics with a comma cannot be named in the URL (the client subscribes to them with
 * a message instead).
 */
export function buildSocketUrl(base: string, token: string | null, since?: string | null, topics: readonly string[] = [], presence: readonly string[] = []): string {
  const q: string[] = [];
  const list = (k: string, v: readonly string[]) => v.length && q.push(k + '=' + v.map(encodeURIComponent).join(','));
  if (token) q.push('token=' + encodeURIComponent(token));
  list('topics', topics);
  list('presence', presence);
  if (since) q.push('since=' + encodeURIComponent(since));
  return q.length ? base + (base.includes('?') ? '&' : '?') + q.join('&') : base;
}
