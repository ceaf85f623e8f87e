/**
 * The `-t` verdict: keepalived's exit codes from a list of diagnostics. Pure.
 *
 * keepalived keeps one status, replacing it whenever a new problem ranks
 * higher in its enum — and the enum runs "cannot run" (file not found, bad
 * interface, fatal) < every other error and warning < script security. So
 * one warning turns a 4 into a 5, and a security problem wins over all.
 */
import type { Diagnostic, DiagnosticClass } from './diagnostics.js';

export const EXIT_OK = 0;
/** keepalived's KEEPALIVED_CHK_EXIT_CONFIG: the config cannot run. */
export const EXIT_CANNOT_RUN = 4;
/** Any other error or warning. */
export const EXIT_CONFIG_TEST = 5;
/** Script security. */
export const EXIT_SECURITY = 6;

const RANK: Record<DiagnosticClass, number> = {
  info: 0,
  'file-not-found': 1,
  'bad-interface': 2,
  fatal: 3,
  error: 4,
  warning: 4,
  security: 5,
};

export function configTestExitCode(diags: readonly Diagnostic[]): number {
  let worst = 0;
  for (const d of diags) worst = Math.max(worst, RANK[d.klass]);
  if (worst === 0) return EXIT_OK;
  if (worst <= 3) return EXIT_CANNOT_RUN;
  if (worst === 5) return EXIT_SECURITY;
  return EXIT_CONFIG_TEST;
}

/**
 * What stops the daemon from starting with a config: what keepalived cannot
 * run either — a fatal problem (unknown linkbeat interface, static address
 * without an interface), a failed strict include, a missing main file.
 * keepalived runs despite script-security violations (it only logs them),
 * so stayalive does too.
 */
export function startBlocker(diags: readonly Diagnostic[]): Diagnostic | undefined {
  return diags.find(
    (d) =>
      d.klass === 'fatal' ||
      (d.klass === 'security' && d.code !== 'SA_ERR_CONFIG_SCRIPT_SECURITY') ||
      (d.klass === 'file-not-found' && (!d.pos || d.pos.line === 0)),
  );
}

/**
 * Whether a reload may replace the running configuration. keepalived applies
 * whatever it could read; stayalive also refuses a config that lost its
 * structure (brace or quote errors), so a typo never tears down a working
 * node. Warnings (unknown keywords, values replaced by defaults) do not block.
 */
export function reloadBlocker(diags: readonly Diagnostic[]): Diagnostic | undefined {
  return startBlocker(diags) ?? diags.find((d) => d.code === 'SA_ERR_CONFIG_SYNTAX');
}
