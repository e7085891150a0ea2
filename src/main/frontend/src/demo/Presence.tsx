import { useEffect, useRef, useState } from 'react';
import { useTaskSyncClient, useTaskSyncEvent } from '../react';

/** The demo's shared list: who is on it (presence) and who is typing (signals). */
const LIST = 'list:demo';
const TYPING_SHOWN_MS = 3_000;
const TYPING_SENT_EVERY_MS = 1_000;

interface Member {
  user_id: string;
  connections?: number;
}

export function PresencePanel({ user }: { user: string }) {
  const client = useTaskSyncClient();
  const [members, setMembers] = useState<Map<string, Member>>(new Map());
  const [typing, setTyping] = useState<Map<string, number>>(new Map());
  const [count, setCount] = useState(0);
  const lastSent = useRef(0);

  // Subscribed with presence on every (re)connect: the snapshot comes after each subscribe.
  const watch = () => client.send({ action: 'subscribe', topic: LIST, presence: true });
  useEffect(() => {
    watch();
    const timer = setInterval(() => {
      const now = Date.now();
      setTyping((prev) => new Map([...prev].filter(([, until]) => until > now)));
    }, 500);
    return () => {
      clearInterval(timer);
      client.send({ action: 'unsubscribe', topic: LIST });
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client]);
  useTaskSyncEvent('connected', () => watch());

  useTaskSyncEvent('message', (m) => {
    if (m.topic !== LIST) return;
    if (m.type === 'presence_state') {
      const next = new Map<string, Member>();
      for (const u of (m.users as Member[] | undefined) ?? []) next.set(u.user_id, u);
      setMembers(next);
      setCount(Number(m.count ?? next.size));
    } else if (m.type === 'presence_diff') {
      setMembers((prev) => {
        const next = new Map(prev);
        for (const u of (m.joins as Member[] | undefined) ?? []) next.set(u.user_id, u);
        for (const u of (m.leaves as Member[] | undefined) ?? []) next.delete(u.user_id);
        return next;
      });
      setCount(Number(m.count ?? 0));
    } else if (m.type === 'signal' && m.event === 'typing' && typeof m.from === 'string') {
      const from = m.from;
      setTyping((prev) => new Map(prev).set(from, Date.now() + TYPING_SHOWN_MS));
    }
  });

  const onInput = () => {
    const now = Date.now();
    if (now - lastSent.current < TYPING_SENT_EVERY_MS) return;
    lastSent.current = now;
    client.send({ action: 'signal', topic: LIST, event: 'typing' });
  };

  const typers = [...typing.keys()].filter((u) => u !== user);
  return (
    <section className="card">
      <h2>
        On {LIST} <span className="badge" data-testid="presence-count">{count}</span>
      </h2>
      <ul className="members" data-testid="presence">
        {[...members.values()].map((m) => (
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
