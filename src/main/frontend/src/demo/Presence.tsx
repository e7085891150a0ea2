import { useEffect, useRef, useState } from 'react';
import { usePresence } from '@tasksync/client/react';

/** The demo's shared list: who is on it (presence) and who is typing (signals). */
const LIST = 'list:demo';
const TYPING_SHOWN_MS = 3_000;
const TYPING_SENT_EVERY_MS = 1_000;

export function PresencePanel({ user }: { user: string }) {
  const [typing, setTyping] = useState<Map<string, number>>(new Map());
  const lastSent = useRef(0);
  // A fresh snapshot after every (re)connect, then diffs; other users' signals as they come.
  const { presence, signal } = usePresence(LIST, ({ event, from }) => {
    if (event === 'typing') setTyping((prev) => new Map(prev).set(from, Date.now() + TYPING_SHOWN_MS));
  });

  useEffect(() => {
    const timer = setInterval(() => {
      const now = Date.now();
      // Expired typing lines, and those of users who left.
      const here = new Set(presence?.users?.map((m) => m.user_id));
      setTyping((prev) => new Map([...prev].filter(([u, until]) => until > now && (!presence?.users || here.has(u)))));
    }, 500);
    return () => clearInterval(timer);
  }, [presence]);

  const onInput = () => {
    const now = Date.now();
    if (now - lastSent.current < TYPING_SENT_EVERY_MS) return;
    if (signal('typing')) lastSent.current = now;
  };

  const members = presence?.users ?? [];
  const typers = [...typing.keys()].filter((u) => u !== user);
  return (
    <section className="card">
      <h2>
        On {LIST} <span className="badge" data-testid="presence-count">{presence?.count ?? 0}</span>
      </h2>
      <ul className="members" data-testid="presence">
        {members.map((m) => (
          <li key={m.user_id} data-user={m.user_id}>
            {m.user_id}
            {m.user_id === user ? ' (you)' : ''}
          </li>
        ))}
      </ul>
      <input placeholder="Type a comment…" onInput={onInput} data-testid="typing-input" autoComplete="off" />
      <p className="hint" data-testid="typing">
        {typers.length > 0 ? `${typers.join(', ')} ${typers.length === 1 ? 'is' : 'are'} typing…` : '\u00a0'}
      </p>
    </section>
  );
}
