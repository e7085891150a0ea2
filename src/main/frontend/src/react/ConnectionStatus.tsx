import type { HTMLAttributes } from 'react';
import type { Status } from '@tasksync/client';
import { useWebSocketStatus } from './context';

export interface ConnectionStatusProps extends Omit<HTMLAttributes<HTMLSpanElement>, 'children'> {
  /** Overrides the provider's status (e.g. when used without a provider). */
  status?: Status;
  /** Text per status; defaults to the status name itself. */
  labels?: Partial<Record<Status, string>>;
}

/**
 * Unstyled status badge. Style it through `.tasksync-status[data-status=...]`;
 * the text stays the bare status unless labels are given, which keeps it
 * stable for tests.
 */
export function ConnectionStatus({ status, labels, className, ...rest }: ConnectionStatusProps) {
  const fromContext = useWebSocketStatus().status;
  const current = status ?? fromContext;
  return (
    <span
      role="status"
      aria-live="polite"
      {...rest}
      className={className ? `tasksync-status ${className}` : 'tasksync-status'}
      data-status={current}
    >
      {labels?.[current] ?? current}
    </span>
  );
}
