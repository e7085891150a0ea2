import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { Task, TopicEvent, TransportName } from '@tasksync/client';
import { applyTaskUpdate, wsUrlFromLocation } from '@tasksync/client/helpers';
import { ConnectionStatus, WebSocketProvider, useTaskSyncClient, useTaskSyncEvent, useTopic } from '@tasksync/client/react';
import { sseTransport } from '@tasksync/client/sse';

// What a user of the package writes: a token endpoint, the provider, hooks.
const params = new URLSearchParams(location.search);
const user = params.get('user') ?? 'sample';
const forced = params.get('transport') as TransportName | null;
// The browser test's SSE → WebSocket step wants the background WebSocket within seconds.
const wsRetry = params.has('wsretry') ? Number(params.get('wsretry')) : undefined;
// ?transport=websocket: WebSocket only (no SSE transport); ?transport=sse: SSE only.
const transport = forced === 'websocket' ? undefined : sseTransport({ force: forced === 'sse', fallbackAfter: 2, wsRetryAfterMs: wsRetry });
/** Every task event the client delivered, in order (the browser test counts duplicates). */
const delivered: string[] = ((window as unknown as { __delivered: string[] }).__delivered = []);

interface ListItem {
  title: string;
}

async function getToken(): Promise<string> {
  if (params.has('badtoken')) return 'not-a-valid-token'; // the browser test's refused connection
  // The dev token grants list:* ; "secret:1" stays forbidden.
  const res = await fetch(`/dev/token?user_id=${encodeURIComponent(user)}&topics=list:*`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`token: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

function Page() {
  const client = useTaskSyncClient();
  const [tasks, setTasks] = useState<readonly Task[]>([]);
  const [items, setItems] = useState<string[]>([]);
  const [transport, setTransport] = useState('');
  useTaskSyncEvent('taskUpdate', (u) => {
    delivered.push(String(u.task.id));
    setTasks((t) => applyTaskUpdate(t, u));
  });
  useTaskSyncEvent('connected', () => setTransport(client.transport ?? ''));
  const list = useTopic<ListItem>('list:e2e', (e: TopicEvent<ListItem>) => setItems((i) => [...i, e.data.title]));
  const secret = useTopic('secret:1');
  return (
    <main>
      <ConnectionStatus data-testid="status" /> over <span data-testid="transport">{transport}</span>
      <p>
        list:e2e <b data-testid="list-state">{list.state}</b>, secret:1 <b data-testid="secret-state">{secret.state}</b>{' '}
        <i data-testid="secret-error">{secret.error?.message ?? ''}</i>
      </p>
      <ul>
        {tasks.map((t) => (
          <li key={String(t.id)} data-task-id={String(t.id)}>
            {t.title}
          </li>
        ))}
      </ul>
      <ol data-testid="items">
        {items.map((title, i) => (
          <li key={i} data-item={title}>
            {title}
          </li>
        ))}
      </ol>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WebSocketProvider
      url={wsUrlFromLocation(location)}
      getToken={getToken}
      transport={transport}
      backoffBaseMs={200}
      backoffCapMs={2000}
    >
      <Page />
    </WebSocketProvider>
  </StrictMode>,
);
