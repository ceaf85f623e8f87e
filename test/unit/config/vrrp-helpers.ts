/** Shared helper for the VRRP/global config tests: text → model + diagnostics. */
import { DiagnosticSink, type Diagnostic } from '../../../src/config/diagnostics.js';
import { treeFromText } from '../../../src/config/lexer.js';
import type { Config } from '../../../src/config/model.js';
import { parseConfig } from '../../../src/config/parse.js';

export const HOST = { interfaces: new Set(['lo', 'eth0', 'eth1']), hostname: 'node1' };

export function load(
  text: string,
  host: { interfaces: Set<string> | null; hostname: string } = HOST,
): { config: Config; diags: Diagnostic[]; messages: string[] } {
  const diag = new DiagnosticSink();
  const tree = treeFromText(text, 't.conf', diag);
  const { config } = parseConfig(tree, 't.conf', host, diag);
  return { config, diags: diag.items, messages: diag.items.map((d) => d.message) };
}

/** keepalived -t's exit code for these diagnostics (see diagnostics.ts). */
export function exitCode(diags: Diagnostic[]): number {
  const ks = diags.filter((d) => d.klass !== 'info').map((d) => d.klass);
  if (ks.includes('security')) return 6;
  if (ks.some((k) => k === 'error' || k === 'warning')) return 5;
  return ks.length ? 4 : 0;
}

export const BASIC = `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    10.0.0.10/24
  }
`;
