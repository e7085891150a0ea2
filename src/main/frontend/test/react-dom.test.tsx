// @vitest-environment happy-dom
import { act, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionStatus, WebSocketProvider, usePresence, useTaskSyncEvent, useTopic } from '../src/react';
import { FakeSocket, flush, makeHarness, type Harness } from './fakes';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let h: Harness;
let root: Root;
let container: HTMLElement;

function Topic({ name, id }: { name: string; id: string }) {
  const [got, setGot] = useState<string[]>([]);
  const { state, error } = useTopic<{ n: number }>(name, (e) => setGot((g) => [...g, String(e.data.n)]));
  return (
    <p data-testid={id} data-state={state} data-error={error?.message ?? ''}>
      {got.join(',')}
    </p>
  );
}

function Tasks() {
  const [ids, setIds] = useState<string[]>([]);
  useTaskSyncEvent('taskUpdate', (u) => setIds((x) => [...x, String(u.task.id)]));
  return <ul data-testid="tasks">{ids.join(',')}</ul>;
}

function Who() {
  const [signals, setSignals] = useState<string[]>([]);
  const { state, presence, signal } = usePresence('list:2', (m) => setSignals((x) => [...x, `${m.from}:${m.event}`]));
  return (
    <button data-testid="who" data-state={state} data-signals={signals.join(',')} onClick={() => signal('typing', { n: 1 })}>
      {presence ? `${presence.count}:${(presence.users ?? []).map((u) => u.user_id).join(',')}` : 'none'}
    </button>
  );
}

function App({ showB = true }: { showB?: boolean }) {
  return (
    <WebSocketProvider url="ws://x/ws" getToken={() => 'tok'} env={h.env}>
      <ConnectionStatus data-testid="status" />
      <Tasks />
      <Topic name="list:1" id="a" />
      {showB && <Topic name="list:1" id="b" />}
      <Topic name="secret:1" id="secret" />
      <Who />
    </WebSocketProvider>
  );
}

const $ = (id: string) => container.querySelector(`[data-testid=${id}]`)!;
const server = async (fn: (ws: FakeSocket) => void) =>
  act(async () => {
    fn(FakeSocket.last);
    await flush();
  });

beforeEach(async () => {
  h = makeHarness();
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  await act(async () => {
    root.render(<App />);
    await flush();
  });
});

afterEach(async () => {
  await act(async () => root.unmount());
  container.remove();
});

describe('react layer in a DOM', () => {
  it('shows connected only after the welcome frame, and topic state per subscription', async () => {
    expect($('status').textContent).toBe('connecting');
    expect(FakeSocket.last.query.get('topics')).toBe('list:1,secret:1,list:2');
    await server((ws) => ws.serverOpen());
    expect($('status').textContent).toBe('connecting');
    expect($('a').getAttribute('data-state')).toBe('subscribing');
    await server((ws) => {
      ws.serverAccept({ topics: ['list:1'] });
      ws.serverSend({ error: 'Forbidden', topic: 'secret:1' });
    });
    expect($('status').textContent).toBe('connected');
    expect($('a').getAttribute('data-state')).toBe('subscribed');
    expect($('b').getAttribute('data-state')).toBe('subscribed');
    expect($('secret').getAttribute('data-state')).toBe('failed');
    expect($('secret').getAttribute('data-error')).toBe('Forbidden');
  });

  it('delivers user and topic events to the components, and unmounting one holder keeps the topic', async () => {
    await server((ws) => ws.serverAccept({ topics: ['list:1', 'secret:1', 'list:2'] }));
    await server((ws) => {
      ws.serverSend({ type: 'task_update', event: 'task.created', task: { id: 't1' }, id: 'e1' });
      ws.serverSend({ topic: 'list:1', event: 'ADDED', data: { n: 1 }, id: 'e2' });
    });
    expect($('tasks').textContent).toBe('t1');
    expect($('a').textContent).toBe('1');
    expect($('b').textContent).toBe('1');
    await act(async () => root.render(<App showB={false} />));
    expect(FakeSocket.last.sent.filter((m) => m.action === 'unsubscribe')).toEqual([]);
    await server((ws) => ws.serverSend({ topic: 'list:1', event: 'ADDED', data: { n: 2 }, id: 'e3' }));
    expect($('a').textContent).toBe('1,2');
  });

  it('usePresence: watched from the connect URL, re-renders on snapshot and diffs, passes signals both ways', async () => {
    expect(FakeSocket.last.query.get('presence')).toBe('list:2');
    await server((ws) => ws.serverAccept({ topics: ['list:1', 'secret:1', 'list:2'] }));
    expect($('who').getAttribute('data-state')).toBe('subscribed');
    expect($('who').textContent).toBe('none');
    await server((ws) => ws.serverSend({ type: 'presence_state', topic: 'list:2', users: [{ user_id: 'u1' }], count: 1 }));
    expect($('who').textContent).toBe('1:u1');
    await server((ws) => ws.serverSend({ type: 'presence_diff', topic: 'list:2', joins: [{ user_id: 'u2' }], leaves: [], count: 2 }));
    expect($('who').textContent).toBe('2:u1,u2');
    await server((ws) => ws.serverSend({ type: 'signal', topic: 'list:2', event: 'typing', from: 'u2' }));
    expect($('who').getAttribute('data-signals')).toBe('u2:typing');
    await act(async () => {
      ($('who') as HTMLButtonElement).click();
      await flush();
    });
    expect(FakeSocket.last.sent).toContainEqual({ action: 'signal', topic: 'list:2', event: 'typing', data: { n: 1 } });
  });
});
