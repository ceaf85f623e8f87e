// keepalived's VRRP script pass: who a script runs as, and which scripts may not run. Pure:
// file facts come from a stub of the host hook.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostFacts } from '../../../src/config/host-facts.js';
import type { ScriptFileFact } from '../../../src/config/host-facts.js';
import { runsAsRoot, scriptUserFor } from '../../../src/config/script-user.js';
import { exitCode, load, VRRP_HOST } from './helpers.js';

const host = (facts: Record<string, ScriptFileFact>, users = ['root', 'nobody']): HostFacts => ({
  ...VRRP_HOST,
  users: new Set(users),
  scriptFile: (p: string) => facts[p] ?? 'ok',
});

const conf = (global: string, inst: string, outside = ''): string =>
  `global_defs {\n${global}\n}\n${outside}vrrp_instance V {\n interface eth0\n virtual_router_id 1\n${inst}\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n`;

test('script user: own, else script_user, else keepalived_script when it exists, else root', () => {
  const own = { user: 'www', group: 'adm' };
  const g = { scriptUser: { user: 'nobody', group: null } };
  assert.deepEqual(scriptUserFor(own, g, null), own);
  assert.deepEqual(scriptUserFor(null, g, null), g.scriptUser);
  const none = { scriptUser: null };
  assert.deepEqual(scriptUserFor(null, none, new Set(['keepalived_script'])), {
    user: 'keepalived_script',
    group: null,
  });
  assert.equal(scriptUserFor(null, none, new Set(['root'])), null);
  assert.equal(runsAsRoot(null), true);
  assert.equal(runsAsRoot({ user: 'nobody', group: 'root' }), true);
  assert.equal(runsAsRoot({ user: 'nobody', group: null }), false);
  // By the numbers when known: a user whose primary group is 0 runs with root's gid.
  const ids = (user: string) =>
    user === 'operator' ? { uid: 11, gid: 0 } : { uid: 65534, gid: 65534 };
  assert.equal(runsAsRoot({ user: 'operator', group: null }, ids), true);
  assert.equal(runsAsRoot({ user: 'nobody', group: null }, ids), false);
});

test('enable_script_security: insecure notify scripts run as root are dropped; as nobody they stay', () => {
  const facts = {
    '/ww/up.sh': 'insecure',
    '/ww/any.sh': 'insecure',
    '/gone.sh': 'missing',
  } as const;
  const r = load(
    conf(
      ' enable_script_security',
      ' notify_master /ww/up.sh root\n notify_backup /ww/up.sh nobody\n notify /ww/any.sh\n notify_fault /gone.sh nobody',
    ),
    host(facts),
  );
  const n = r.config.vrrp.instances.V.notify;
  assert.equal(n.master, null, 'insecure, run as root: dropped');
  assert.equal(n.backup?.argv[0], '/ww/up.sh', 'run as nobody: no root-only path needed');
  // No user, no script_user, no keepalived_script: keepalived cannot pick a user (exit 5).
  assert.equal(n.any, null);
  assert.ok(r.msgs.includes('Unable to set default user keepalived_script for script'));
  assert.ok(r.msgs.includes('Failed to set default user for notify script /ww/any.sh - ignoring'));
  assert.equal(exitCode(r.diags), 5, r.msgs.join('\n'));
  assert.equal(n.fault, null, 'missing: dropped');
  assert.ok(
    r.msgs.includes("Notify script: unsafe permissions found for script '/ww/up.sh' - disabling"),
  );
  // With script_user root, the insecure script is dropped by the path check alone (keepalived
  // only logs that: -t stays 0).
  const asRoot = load(
    conf(' enable_script_security\n script_user root', ' notify /ww/any.sh'),
    host(facts),
  );
  assert.equal(asRoot.config.vrrp.instances.V.notify.any, null);
  assert.equal(exitCode(asRoot.diags), 0, asRoot.msgs.join('\n'));
  // With script_user nobody the same `notify` script is safe to run.
  const su = load(
    conf(' enable_script_security\n script_user nobody', ' notify /ww/any.sh'),
    host(facts),
  );
  assert.equal(su.config.vrrp.instances.V.notify.any?.argv[0], '/ww/any.sh');
});

test('tracked scripts: insecure only counts when run as root; missing ones are disabled', () => {
  const facts = {
    '/ww/chk.sh': 'insecure',
    '/ww/suid': 'insecure-setid',
    '/gone.sh': 'missing',
  } as const;
  const scripts =
    'vrrp_script as_root {\n script /ww/chk.sh\n}\nvrrp_script as_nobody {\n script /ww/chk.sh\n user nobody\n}\nvrrp_script gone {\n script /gone.sh\n}\n' +
    'vrrp_script suid {\n script /ww/suid\n user nobody\n}\n';
  const r = load(
    conf(
      ' enable_script_security\n script_user root',
      ' track_script {\n  as_root\n  as_nobody\n  gone\n  suid\n }',
      scripts,
    ),
    host(facts),
  );
  const s = r.config.vrrp.scripts;
  assert.equal(s.as_root.disabled, 'insecure');
  assert.equal(s.as_nobody.disabled, undefined);
  // Set-uid root: it runs with root's ids even when nobody starts it.
  assert.equal(s.suid.disabled, 'insecure');
  assert.equal(s.gone.disabled, 'not found/accessible');
  assert.ok(r.msgs.includes('Disabling track script as_root due to insecure'));
});

test('without enable_script_security the violation says when scripts are insecure', () => {
  const r = load(conf('', ' notify /ww/any.sh'), host({ '/ww/any.sh': 'insecure' }));
  assert.ok(
    r.msgs.includes(
      'SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.',
    ),
    r.msgs.join('\n'),
  );
  assert.equal(r.config.vrrp.instances.V.notify.any?.argv[0], '/ww/any.sh', 'still runs');
  assert.equal(exitCode(r.diags), 6);
  // Only missing scripts: no script runs, so no violation (keepalived's SC_NOTFOUND).
  const gone = load(conf('', ' notify /gone.sh'), host({ '/gone.sh': 'missing' }));
  assert.ok(!gone.msgs.some((m) => m.startsWith('SECURITY VIOLATION')), gone.msgs.join('\n'));
});

test('enable_script_security without a default user: user-less vrrp_scripts are removed', () => {
  const r = load(
    conf(
      ' enable_script_security',
      ' track_script {\n  mine\n  theirs\n }',
      'vrrp_script mine {\n script /bin/true\n}\nvrrp_script theirs {\n script /bin/true\n user nobody\n}\n',
    ),
    host({}),
  );
  assert.equal(r.config.vrrp.scripts.mine.disabled, 'no default script user');
  assert.equal(r.config.vrrp.scripts.theirs.disabled, undefined);
  assert.ok(r.msgs.includes('Unable to set default user for vrrp script mine - removing'));
  // keepalived_script exists: it is the default, nothing is removed.
  const ok = load(
    conf(
      ' enable_script_security',
      ' track_script {\n  mine\n }',
      'vrrp_script mine {\n script /bin/true\n}\n',
    ),
    host({}, ['root', 'keepalived_script']),
  );
  assert.equal(ok.config.vrrp.scripts.mine.disabled, undefined);
  assert.equal(exitCode(ok.diags), 0, ok.msgs.join('\n'));
});

test('users the host lacks: the vrrp_script is removed, the notify script dropped, a bad script_user drops user-less scripts', () => {
  const r = load(
    conf(
      ' script_user ghost',
      ' notify_master "/bin/true" nobody\n notify_backup "/bin/true" ghost\n notify /bin/true\n track_script {\n  own\n  def\n }',
      'vrrp_script own {\n script /bin/true\n user ghost\n}\nvrrp_script def {\n script /bin/true\n}\n',
    ),
    host({}),
  );
  const v = r.config.vrrp;
  assert.equal(v.scripts.own.disabled, 'unknown user');
  assert.ok(r.msgs.includes('Unable to set uid/gid for script /bin/true'), r.msgs.join('\n'));
  assert.ok(r.msgs.includes('Unable to set default user to ghost'));
  // keepalived's default_user_fail: no script without its own user runs, security or not.
  assert.equal(v.scripts.def.disabled, 'no default script user');
  const n = v.instances.V.notify;
  assert.equal(n.master?.user, 'nobody');
  assert.equal(n.backup, null);
  assert.ok(r.msgs.includes('Invalid user/group for notify script /bin/true - ignoring'));
  assert.equal(n.any, null);
  assert.ok(!r.msgs.includes('Unable to set default user keepalived_script for script'));
});
