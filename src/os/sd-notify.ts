/**
 * systemd's notify protocol: one datagram of `KEY=value` lines to the unix
 * socket named by $NOTIFY_SOCKET ('@' = abstract namespace). Without that
 * variable (not under systemd) every call is a no-op, as in sd_notify(3).
 */
import { sendUnixDatagram } from './native.js';

export interface Notifier {
  notify(state: string): void;
}

export function systemdNotifier(env: NodeJS.ProcessEnv = process.env): Notifier {
  const path = env.NOTIFY_SOCKET;
  if (!path) return { notify: () => {} };
  return {
    notify(state: string): void {
      try {
        sendUnixDatagram(path, state);
      } catch {
        // systemd gone or socket full: nothing useful to do but carry on.
      }
    },
  };
}
