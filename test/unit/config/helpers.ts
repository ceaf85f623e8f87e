/**
 * Shared helpers for the config unit tests: config text → model, diagnostics
 * and the `-t` exit code, plus the host facts and config snippets the tests
 * build on. Pure (no file system: the text never leaves memory).
 */
import { DiagnosticSink, type Diagnostic } from '../../../src/config/diagnostics.js';
import type { HostFacts } from '../../../src/config/host-facts.js';
import { treeFromText } from '../../../src/config/lexer.js';
import type { Config } from '../../../src/config/model.js';
import { parseConfig } from '../../../src/config/parse.js';
import { configTestExitCode } from '../../../src/config/verdict.js';

/** keepalived -t's exit code for a list of diagnostics. */
export { configTestExitCode as exitCode };

/** The load-balancing tests' host: interfaces unknown (no interface checks), root exists. */
export const HOST: HostFacts = {
  interfaces: null,
  hostname: 'h',
  users: new Set(['root']),
  groups: new Set(['root']),
};

/** The VRRP/global tests' host: known interfaces, users unknown (no script_user checks). */
export const VRRP_HOST: HostFacts = {
  interfaces: new Set(['lo', 'eth0', 'eth1']),
  hostname: 'node1',
};

export interface Parsed {
  config: Config;
  diag: DiagnosticSink;
  diags: Diagnostic[];
  msgs: string[];
  /** keepalived -t's exit code. */
  rc: number;
}

/** Reads `text` as the main config file `t.conf` against `host`. */
export function parse(text: string, host: HostFacts = HOST): Parsed {
  const diag = new DiagnosticSink();
  const tree = treeFromText(text, 't.conf', diag);
  const { config } = parseConfig(tree, 't.conf', host, diag);
  const diags = diag.items;
  return { config, diag, diags, msgs: diags.map((d) => d.message), rc: configTestExitCode(diags) };
}

/** `parse` against the VRRP host. */
export function load(text: string, host: HostFacts = VRRP_HOST): Parsed {
  return parse(text, host);
}

/** A VS with the usual header around `body` (real servers etc.). */
export function vs(body: string, head = 'lb_algo rr\n  lb_kind NAT\n  protocol TCP'): string {
  return `virtual_server 10.0.0.1 80 {\n  ${head}\n${body}\n}\n`;
}

/** The start of a minimal valid VRRP instance; callers add lines and the closing brace. */
export const BASIC = `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    10.0.0.10/24
  }
`;
