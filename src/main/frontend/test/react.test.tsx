import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConnectionStatus, WebSocketProvider, useWebSocketStatus } from '../src/react';
import { FakeSocket, makeHarness } from './fakes';

function StatusProbe() {
  const { status, isConnected } = useWebSocketStatus();
  return <i>{`${status}/${String(isConnected)}`}</i>;
}

describe('react layer (server render)', () => {
  it('ConnectionStatus renders the bare status for tests and styling', () => {
    const html = renderToStaticMarkup(<ConnectionStatus status="offline" data-testid="status" className="x" />);
    expect(html).toBe(
      '<span role="status" aria-live="polite" data-testid="status" class="tasksync-status x" data-status="offline">offline</span>',
    );
  });

  it('ConnectionStatus accepts custom labels', () => {
    const html = renderToStaticMarkup(<ConnectionStatus status="connected" labels={{ connected: 'Connected' }} />);
    expect(html).toContain('>Connected</span>');
  });

  it('reports disconnected outside a provider, like the seed default', () => {
    expect(renderToStaticMarkup(<StatusProbe />)).toBe('<i>disconnected/false</i>');
  });

  it('provider is SSR-safe: renders status without opening a socket', () => {
    const h = makeHarness();
    const html = renderToStaticMarkup(
      <WebSocketProvider url="ws://x/ws" getToken={() => 't'} env={h.env}>
        <ConnectionStatus />
        <StatusProbe />
      </WebSocketProvider>,
    );
    expect(html).toContain('>disconnected</span>');
    expect(html).toContain('<i>disconnected/false</i>');
    expect(FakeSocket.instances).toHaveLength(0);
  });
});
