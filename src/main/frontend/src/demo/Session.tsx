import { useReducer, useRef, useState, type FormEvent } from 'react';
import type { Task, TaskEventName, TaskUpdate } from '@tasksync/client';
import { applyTaskUpdate } from '@tasksync/client/helpers';
import { ConnectionStatus, useTaskSyncClient, useTaskSyncEvent } from '@tasksync/client/react';
import { fetchDevHistory, newTaskId, publishTaskEvent } from './devApi';
import { AppliedEvents } from './history';
import { PresencePanel } from './Presence';

interface LogEntry {
  at: string;
  text: string;
}

const MAX_LOG = 30;

function tasksReducer(tasks: readonly Task[], update: TaskUpdate): readonly Task[] {
  return applyTaskUpdate(tasks, update);
}

export function Session({ user, devMode, presetUsers }: { user: string; devMode: boolean; presetUsers: string[] }) {
  const client = useTaskSyncClient();
  const [tasks, dispatch] = useReducer(tasksReducer, []);
  const [log, setLog] = useState<LogEntry[]>([]);
  const [stopped, setStopped] = useState(false);
  // Ids of events already in `tasks` (live or from /dev/history), so neither applies twice.
  const applied = useRef<AppliedEvents | null>(null);
  applied.current ??= new AppliedEvents();
  const resyncs = useRef(0);

  const note = (text: string) =>
    setLog((prev) => [{ at: new Date().toLocaleTimeString(), text }, ...prev].slice(0, MAX_LOG));

  const describe = (u: TaskUpdate) => `${u.event} ${String(u.task.id)}${u.task.title ? ` “${u.task.title}”` : ''}`;

  useTaskSyncEvent('taskUpdate', (u) => {
    if (!applied.current!.accept(u)) return;
    dispatch(u);
    note(describe(u));
  });
  useTaskSyncEvent('connected', (info) => note(`connected as ${info.user_id} (${info.connection_id})`));
  useTaskSyncEvent('close', (c) =>
    note(`closed ${c.code}${c.reason ? ` ${c.reason}` : ''}${c.retryInMs !== null ? `, retry in ${c.retryInMs} ms` : ''}`),
  );
  useTaskSyncEvent('error', (e) => note(`error (${e.source}): ${e.message}`));
  // A real app would refetch its task list here. The demo has no backend of its own, so in
  // dev mode it asks the server for the events it holds (GET /dev/history) and replays the
  // ones not applied yet through the same reducer as live events.
  useTaskSyncEvent('resync', () => {
    if (!devMode) {
      note('resync requested: events may have been missed');
      return;
    }
    const n = ++resyncs.current;
    note('resync requested: fetching /dev/history');
    fetchDevHistory(user).then(
      (frames) => {
        if (n !== resyncs.current) return; // a newer resync is under way
        const fresh = applied.current!.fresh(frames);
        for (const u of fresh) dispatch(u);
        note(`resync: ${frames.length} event(s) in history, ${fresh.length} new${fresh.length ? `: ${fresh.map(describe).join(', ')}` : ''}`);
      },
      (err: unknown) => note(`resync failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  });

  const publish = async (event_type: TaskEventName, task: Task) => {
    try {
      await publishTaskEvent({ event_type, user_id: user, task });
    } catch (err) {
      note(`publish failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const toggleConnection = () => {
    if (stopped) client.connect();
    else client.close();
    setStopped(!stopped);
  };

  const otherUser = presetUsers.find((u) => u !== user) ?? 'bob';

  return (
    <>
      <section className="card">
        <div className="row spread">
          <span>
            Signed in as <strong data-testid="current-user">{user}</strong>
          </span>
          <ConnectionStatus data-testid="status" />
        </div>
        <div className="row">
          <button type="button" className="secondary" onClick={toggleConnection}>
            {stopped ? 'Connect' : 'Disconnect'}
          </button>
          <button type="button" className="secondary" onClick={() => client.reconnect()} disabled={stopped}>
            Reconnect now
          </button>
          <a href={`?user=${encodeURIComponent(user)}`} target="_blank" rel="noopener" data-testid="open-same-user">
            Open another tab as {user}
          </a>
          <a href={`?user=${encodeURIComponent(otherUser)}`} target="_blank" rel="noopener" data-testid="open-other-user">
            Open a tab as {otherUser}
          </a>
        </div>
      </section>

      <PresencePanel user={user} />

      {devMode && <CreateTaskForm onCreate={(title) => publish('task.created', { id: newTaskId(), title, status: 'pending' })} />}

      <section className="card">
        <h2>Tasks</h2>
        <ul data-testid="task-list" className="tasks">
          {tasks.map((task) => (
            <li key={String(task.id)} data-task-id={String(task.id)} data-task-status={task.status ?? ''}>
              <span className={task.status === 'completed' ? 'title done' : 'title'}>{task.title ?? String(task.id)}</span>
              <span className="badge">{task.status ?? 'unknown'}</span>
              {devMode && (
                <span className="actions">
                  {task.status !== 'completed' && (
                    <button type="button" className="secondary" onClick={() => publish('task.completed', { ...task, status: 'completed' })}>
                      Complete
                    </button>
                  )}
                  <button type="button" className="secondary" onClick={() => publish('task.deleted', task)}>
                    Delete
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
        {tasks.length === 0 && <p className="hint">No tasks yet. Events appear here live.</p>}
      </section>

      <section className="card">
        <h2>Activity</h2>
        <ol className="log" data-testid="activity">
          {log.map((entry, i) => (
            <li key={log.length - i}>
              <time>{entry.at}</time> {entry.text}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

function CreateTaskForm({ onCreate }: { onCreate: (title: string) => Promise<void> }) {
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) return;
    setBusy(true);
    await onCreate(trimmed);
    setBusy(false);
    setTitle('');
  };

  return (
    <section className="card">
      <form className="row" onSubmit={submit}>
        <label htmlFor="title">New task</label>
        <input
          id="title"
          data-testid="task-title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          placeholder="Buy milk"
          autoComplete="off"
        />
        <button type="submit" data-testid="create-task" disabled={busy}>
          Create
        </button>
      </form>
    </section>
  );
}
