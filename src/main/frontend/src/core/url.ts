/** Appends the token (and resume point) to the socket endpoint. */
export function buildSocketUrl(base: string, token: string, since?: string | null): string {
  const sep = base.includes('?') ? '&' : '?';
  let url = `${base}${sep}token=${encodeURIComponent(token)}`;
  if (since) url += `&since=${encodeURIComponent(since)}`;
  return url;
}

/** ws(s)://<same host>/ws for a page served by the tasksync server itself. */
export function wsUrlFromLocation(
  location: { protocol: string; host: string },
  path = '/ws',
): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}
