// How lab tests start stayalive: the compiled daemon in dist/ (scripts/test.js builds it before
// the lab phase), so each start costs a plain `node` start-up rather than a TypeScript compile.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

function entry(name: string): string[] {
  const js = join(repoRoot, 'dist', 'cli', `${name}.js`);
  if (!existsSync(js)) {
    throw new Error(`${js} is missing: run \`npm run build\` (npm test does it before lab tests)`);
  }
  return [process.execPath, js];
}

/** argv prefix that runs the daemon. */
export const stayaliveArgv = (): string[] => entry('stayalive');
/** argv prefix that runs the control client. */
export const stayalivectlArgv = (): string[] => entry('stayalivectl');

/**
 * The daemon in the foreground, logging to the console (-n -l -G), with its pid files and
 * control socket named `<prefix>sa.pid`, `<prefix>vrrp.pid`, `<prefix>check.pid` and
 * `<prefix>ctl.sock` (prefix: a directory path with a trailing slash, or a path stem).
 */
export function daemonArgv(conf: string, prefix: string, extra: string[] = []): string[] {
  return [
    ...stayaliveArgv(),
    '-n',
    '-l',
    ...extra,
    '-G',
    '-f',
    conf,
    '-p',
    `${prefix}sa.pid`,
    '-r',
    `${prefix}vrrp.pid`,
    '-c',
    `${prefix}check.pid`,
    '--control-socket',
    `${prefix}ctl.sock`,
  ];
}
