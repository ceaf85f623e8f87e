// keepalived's start/shutdown script check (core/main.c) and notify FIFO owners (global_parser.c),
// pure: file facts from a stub host.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostFacts, ScriptFileFact } from '../../../src/config/host-facts.js';
import { HOST, parse } from './helpers.js';

const host = (facts: Record<string, ScriptFileFact>): HostFacts => ({
  ...HOST,
  users: new Set(['root', 'nobody']),
  scriptFile: (p: string) => facts[p] ?? 'ok',
});
const conf = (lines: string): string => `global_defs {\n${lines}\n}\n`;
const VIOLATION =
  'SECURITY VIOLATION - start/shutdown scripts are being executed but script_security not enabled.';

test('without enable_script_security a runnable start/shutdown script is a violation (exit 6)', () => {
  const r = parse(conf(' startup_script /bin/true\n shutdown_script "/bin/echo bye"'), host({}));
  assert.equal(r.rc, 6);
  assert.ok(r.msgs.includes(VIOLATION), r.msgs.join('\n'));
  assert.deepEqual(r.config.global.shutdownScript?.argv, ['/bin/echo', 'bye']);
  const bad = parse(conf(' startup_script /ww/x.sh'), host({ '/ww/x.sh': 'insecure' }));
  assert.ok(bad.msgs.includes(`${VIOLATION} There are insecure scripts.`), bad.msgs.join('\n'));
  assert.equal(bad.config.global.startupScript?.argv[0], '/ww/x.sh', 'still runs');
});

test('with enable_script_security: insecure root and missing scripts are dropped, -t stays 0', () => {
  const r = parse(
    conf(
      ' enable_script_security\n script_user root\n startup_script /ww/x.sh\n shutdown_script /gone.sh',
    ),
    host({ '/ww/x.sh': 'insecure', '/gone.sh': 'missing' }),
  );
  assert.equal(r.rc, 0, r.msgs.join('\n'));
  assert.equal(r.config.global.startupScript, null);
  assert.equal(r.config.global.shutdownScript, null);
  // Run as nobody, the same insecure path needs no protection.
  const nobody = parse(
    conf(' enable_script_security\n script_user root\n startup_script /ww/x.sh nobody'),
    host({ '/ww/x.sh': 'insecure' }),
  );
  assert.equal(nobody.config.global.startupScript?.user, 'nobody');
});

test('a user the host lacks, or no default user, makes the script invalid (exit 5)', () => {
  const r = parse(conf(' script_user root\n startup_script /bin/true nosuch'), host({}));
  assert.equal(r.config.global.startupScript, null);
  assert.ok(r.msgs.includes('Invalid startup script'), r.msgs.join('\n'));
  assert.equal(r.rc, 5);
  const d = parse(conf(' enable_script_security\n shutdown_script /bin/true'), host({}));
  assert.equal(d.config.global.shutdownScript, null);
  assert.ok(d.msgs.includes('Invalid shutdown script'), d.msgs.join('\n'));
});

test('a notify FIFO whose owner cannot be set is ignored, as keepalived ignores it', () => {
  const r = parse(
    conf(
      ' script_user root\n vrrp_notify_fifo /run/v.fifo nosuch\n notify_fifo /run/n.fifo nobody',
    ),
    host({}),
  );
  assert.equal(r.config.global.vrrpNotifyFifo, null);
  assert.equal(r.config.global.notifyFifo?.user, 'nobody');
  assert.ok(r.msgs.includes('Invalid user/group for vrrp_notify_fifo /run/v.fifo - ignoring'));
  assert.equal(r.rc, 0, 'logged only');
  const d = parse(conf(' enable_script_security\n lvs_notify_fifo /run/l.fifo'), host({}));
  assert.equal(d.config.global.lvsNotifyFifo, null);
  assert.ok(
    d.msgs.includes('Failed to set default user for lvs_notify_fifo /run/l.fifo - ignoring'),
  );
});
