/**
 * Diagnostics produced while reading a configuration. Pure data.
 *
 * keepalived reports every problem and carries on; what differs is how a
 * problem counts toward `-t`'s exit code. `klass` records that:
 *   - 'file-not-found', 'bad-interface', 'fatal'  → "cannot run" (exit 4 if they are the only ones)
 *   - 'security'                                  → script security (exit 6)
 *   - 'error', 'warning'                          → any other problem (exit 5)
 *   - 'info'                                      → printed, does not change the verdict
 */
import type { ErrorCode } from '../core/errors.js';

export interface Position {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  /** 1-based column of the first character the diagnostic is about. */
  col: number;
}

export type DiagnosticClass =
  'file-not-found' | 'bad-interface' | 'fatal' | 'security' | 'error' | 'warning' | 'info';

export interface Diagnostic {
  code: ErrorCode;
  klass: DiagnosticClass;
  message: string;
  /** Absent only for whole-config checks that have no single place. */
  pos?: Position;
}

/** `file:line:col: severity: message [CODE]` — the one format every tool prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}: ` : '';
  const sev = d.klass === 'warning' || d.klass === 'info' ? d.klass : 'error';
  return `${where}${sev}: ${d.message} [${d.code}]`;
}

/** Collects diagnostics in order. Handlers receive one and push into it. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  push(d: Diagnostic): void {
    this.items.push(d);
  }
  error(code: ErrorCode, message: string, pos?: Position): void {
    this.items.push({ code, klass: 'error', message, pos });
  }
  warn(code: ErrorCode, message: string, pos?: Position): void {
    this.items.push({ code, klass: 'warning', message, pos });
  }
  info(code: ErrorCode, message: string, pos?: Position): void {
    this.items.push({ code, klass: 'info', message, pos });
  }
}
