import { useEffect, useRef, useState } from 'react';
import type { PresenceState, TopicSubscription } from '@tasksync/client';
import { useTaskSyncClient } from '@tasksync/client/react';

/** The demo's shared list: who is on it (presence) and who is typing (signals). */
const LIST = 'list:demo';
const TYPING_SHOWN_MS = 3_000;
const TYPING_SENT_EVERY_MS = 1_000;

export function PresencePanel({ user }: { user: string }) {
  const client = useTaskSyncClient();
  const sub = useRef<TopicSubscription | null>(null);
  const [presence, setPresence] = useState<PresenceState | null>(null);
  const [typing, setTyping] = useState<Map<string, number>>(new Map());
  const lastSent = useRef(0);

  useEffect(() => {
    // The client asks for a fresh snapshot after every (re)connect; `presence` fires on each
    // snapshot and diff (join/leave events would give the changes one by one).
    const s = (sub.current = client.subscribe(LIST, { presence: true }));
    setPresence(s.presence());
    const offs = [
      s.on('presence', setPresence),
      s.on('signal', ({ event, from }) => {
        if (event === 'typing') setTyping((prev) => new Map(prev).set(from, Date.now() + TYPING_SHOWN_MS));
      }),
      s.on('leave', ({ user_id }) =>
        setTyping((prev) => {
          const next = new Map(prev);
          next.delete(user_id);
          return next;
        }),
      ),
    ];
    const timer = setInterval(() => {
      const now = Date.now();
      setTyping((prev) => new Map([...prev].filter(([, until]) => until > now)));
    }, 500);
    return () => {
      clearInterval(timer);
      for (const off of offs) off();
      s.unsubscribe();
      sub.current = null;
    };
  }, [client]);

  const onInput = () => {
    const now = Date.now();
    if (now - lastSent.current < TYPING_SENT_EVERY_MS) return;
    if (sub.current?.signal('typing')) lastSent.current = now;
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
