import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { TokenRequest, TransportFactory } from '@tasksync/client';
import { wsUrlFromLocation } from '@tasksync/client/helpers';
import { ConnectionStatus, WebSocketProvider } from '@tasksync/client/react';
import { sseTransport } from '@tasksync/client/sse';
import { DevModeOffError, fetchDevToken } from './devApi';
import { Session } from './Session';

export const PRESET_USERS = ['alice', 'bob', 'carol'];

interface ActiveSession {
  user: string;
  /** Pasted JWT when dev mode is off; otherwise tokens come from /dev/token. */
  manualToken: string | null;
  /** Bumped to remount the provider, i.e. start a brand-new client. */
  generation: number;
  /** Where WebSockets do not get through, the demo falls back to Server-Sent Events (one per client: it counts that client's failures). */
  transport: TransportFactory;
}

function userFromUrl(): string {
  return new URLSearchParams(window.location.search).get('user')?.trim() ?? '';
}

function rememberUserInUrl(user: string): void {
  const url = new URL(window.location.href);
  url.searchParams.set('user', user);
  window.history.replaceState(null, '', url);
}

export function App() {
  const [userInput, setUserInput] = useState(userFromUrl);
  const [devMode, setDevMode] = useState<'unknown' | 'on' | 'off'>('unknown');
  const [tokenInput, setTokenInput] = useState('');
  const [session, setSession] = useState<ActiveSession | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const generation = useRef(0);

  const start = useCallback(async (rawUser: string, manualToken: string | null = null) => {
    const user = rawUser.trim();
    if (!user) return;
    setUserInput(user);
    rememberUserInUrl(user);
    setProblem(null);
    if (!manualToken) {
      // Probe once so a server without dev mode gets the token form instead of
      // a client retrying a 404 forever.
      try {
        await fetchDevToken(user);
        setDevMode('on');
      } catch (err) {
        if (err instanceof DevModeOffError) {
          setDevMode('off');
          setSession(null);
          return;
        }
        // Server unreachable: connect anyway, the client retries with backoff.
        setProblem(err instanceof Error ? err.message : String(err));
      }
    }
    setSession({ user, manualToken, generation: ++generation.current, transport: sseTransport() });
  }, []);

  // ?user=bob auto-connects, which is what "open another tab" relies on.
  // The ref keeps StrictMode's second effect run from connecting twice.
  const autoStarted = useRef(false);
  useEffect(() => {
    const user = userFromUrl();
    if (user && !autoStarted.current) {
      autoStarted.current = true;
      void start(user);
    }
  }, [start]);

  const onSubmitUser = (e: FormEvent) => {
    e.preventDefault();
    void start(userInput);
  };

  const onSubmitToken = (e: FormEvent) => {
    e.preventDefault();
    if (tokenInput.trim()) void start(userInput || 'me', tokenInput.trim());
  };

  return (
    <main>
      <header>
        <h1>tasksync</h1>
        {!session && <ConnectionStatus data-testid="status" />}
      </header>

      <section className="card">
        <form className="row" onSubmit={onSubmitUser}>
          <label htmlFor="user">User id</label>
          <input
            id="user"
            data-testid="user-input"
            value={userInput}
            onChange={(e) => setUserInput(e.target.value)}
            placeholder="alice"
            autoComplete="off"
          />
          <button type="submit" data-testid="connect">
            Connect
          </button>
          {PRESET_USERS.map((u) => (
            <button key={u} type="button" className="secondary" onClick={() => void start(u)}>
              {u}
            </button>
          ))}
        </form>

        {devMode === 'off' && (
          <form className="row" onSubmit={onSubmitToken}>
            <p className="hint">Dev mode is off on this server: paste a JWT to connect.</p>
            <input
              data-testid="token-input"
              value={tokenInput}
              onChange={(e) => setTokenInput(e.target.value)}
              placeholder="eyJhbGciOi…"
              autoComplete="off"
            />
            <button type="submit">Use token</button>
          </form>
        )}
        {problem && <p className="error">{problem}</p>}
      </section>

      {session && (
        <WebSocketProvider
          key={session.generation}
          url={() => wsUrlFromLocation(window.location)}
          transport={session.transport}
          getToken={(request: TokenRequest) => session.manualToken ?? tokenFor(session.user, request)}
        >
          <Session user={session.user} devMode={devMode === 'on'} presetUsers={PRESET_USERS} />
        </WebSocketProvider>
      )}
    </main>
  );
}

/** Dev tokens are cheap, so every (re)connect simply gets a fresh one. */
function tokenFor(user: string, _request: TokenRequest): Promise<string> {
  return fetchDevToken(user);
}
