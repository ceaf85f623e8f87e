/**
 * The local syslog socket (/dev/log, a unix datagram socket). One unbound
 * socket is kept open; each line is one datagram. $STAYALIVE_SYSLOG_SOCKET
 * points elsewhere (tests use it to read what would reach syslog).
 */
import { UnixDgramSocket, nativeAvailable } from './native.js';

export interface SyslogSender {
  send(line: string): void;
}

export function openSyslog(
  path = process.env.STAYALIVE_SYSLOG_SOCKET ?? '/dev/log',
): SyslogSender | null {
  if (!nativeAvailable()) return null;
  const sock = UnixDgramSocket.create();
  return { send: (line) => void sock.send(Buffer.from(line), path) };
}
