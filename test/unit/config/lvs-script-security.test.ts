import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostFacts, ScriptFileFact } from '../../../src/config/host-facts.js';
import { HOST, parse, vs } from './helpers.js';

const misc = (path: string, extra = '') =>
  vs(`  real_server 10.0.0.2 80 {\n    MISC_CHECK {\n      misc_path ${path}\n${extra}    }\n  }`);
const SEC = 'global_defs {\n  enable_script_security\n  script_user root\n}\n';
const withFiles = (facts: Record<string, ScriptFileFact>, base: HostFacts = HOST) =>
  ({ ...base, scriptFile: (p: string) => facts[p] ?? 'ok' }) as HostFacts;

test('a runnable check script without script security is a violation (exit 6)', () => {
  const { rc, diag } = parse(misc('/bin/true'), withFiles({}));
  assert.equal(rc, 6);
  assert.equal(
    diag.items[0].message,
    'SECURITY VIOLATION - check scripts are being executed but script_security not enabled.',
  );
});

test('a missing script is dropped with info only (exit 0), and its checker is unusable', () => {
  const { rc, config } = parse(
    misc('"/nonexistent/check.sh arg"'),
    withFiles({ '/nonexistent/check.sh': 'missing' }),
  );
  assert.equal(rc, 0);
  assert.equal(config.lvs.virtualServers[0].realServers[0].checkers[0].usable, false);
});

test('a missing notify_up script is dropped (exit 0)', () => {
  const text = vs('  real_server 10.0.0.2 80 {\n    notify_up /nonexistent/up.sh\n  }');
  const { rc, config } = parse(text, withFiles({ '/nonexistent/up.sh': 'missing' }));
  assert.equal(rc, 0);
  assert.equal(config.lvs.virtualServers[0].realServers[0].notifyUp, null);
});

test('with script security an insecure script is disabled (exit 0)', () => {
  const { rc, config } = parse(SEC + misc('/tmp/x.sh'), withFiles({ '/tmp/x.sh': 'insecure' }));
  assert.equal(rc, 0);
  assert.equal(config.lvs.virtualServers[0].realServers[0].checkers[0].usable, false);
});

test('an insecure path matters only for a script with root ids: by its user, or set-uid/gid root', () => {
  const sec = 'global_defs {\n  enable_script_security\n  script_user nobody\n}\n';
  const usable = (path: string, fact: ScriptFileFact) =>
    parse(
      sec + misc(path),
      withFiles({ [path]: fact }, { ...HOST, users: new Set(['root', 'nobody']) }),
    ).config.lvs.virtualServers[0].realServers[0].checkers[0].usable;
  assert.equal(usable('/tmp/x.sh', 'insecure'), true, 'run as nobody: its path may be open');
  assert.equal(usable('/tmp/suid', 'insecure-setid'), false, 'set-uid root: guarded');
});

test('notify and quorum scripts: a second word is the user; unknown users and a failing default drop them', () => {
  const withVs = (global: string, rs: string) =>
    `global_defs {\n${global}}\n` +
    vs(
      `  quorum_up /bin/true nosuch\n  quorum_down "/bin/echo down" nobody\n  real_server 10.0.0.2 80 {\n${rs}  }`,
    );
  const host = withFiles({}, { ...HOST, users: new Set(['root', 'nobody']) });
  const a = parse(
    withVs('  script_user root\n', '    notify_up "/bin/true" arg\n    notify_down /bin/false\n'),
    host,
  );
  const v = a.config.lvs.virtualServers[0];
  assert.equal(v.quorumUp, null);
  assert.deepEqual(v.quorumDown?.argv, ['/bin/echo', 'down']);
  assert.equal(v.quorumDown?.user, 'nobody');
  assert.equal(v.realServers[0].notifyUp, null);
  assert.equal(v.realServers[0].notifyDown?.user, null, 'runs as script_user');
  assert.ok(a.msgs.includes('Invalid user/group for quorum script /bin/true - ignoring'));
  assert.ok(a.msgs.includes('Invalid user/group for notify script /bin/true - ignoring'));
  // enable_script_security, no script_user, no keepalived_script: only scripts with a user stay.
  const b = parse(withVs('  enable_script_security\n', '    notify_down /bin/false\n'), host);
  const w = b.config.lvs.virtualServers[0];
  assert.equal(w.quorumDown?.user, 'nobody');
  assert.equal(w.realServers[0].notifyDown, null);
  assert.equal(b.rc, 5);
  assert.equal(
    b.msgs.filter((m) => m === 'Unable to set default user keepalived_script for script').length,
    1,
  );
  assert.ok(b.msgs.includes('Failed to set default user for notify script /bin/false - ignoring'));
});

test('without script security an insecure script is reported as such (exit 6)', () => {
  const { rc, diag } = parse(misc('/tmp/x.sh'), withFiles({ '/tmp/x.sh': 'insecure' }));
  assert.equal(rc, 6);
  assert.match(diag.items[0].message, /There are insecure scripts\.$/);
});

test('script security with no script_user and no keepalived_script user removes the checker (exit 5)', () => {
  const text = 'global_defs {\n  enable_script_security\n}\n' + misc('/bin/true');
  const { rc, msgs, config } = parse(text, withFiles({}));
  assert.equal(rc, 5);
  assert.deepEqual(msgs, [
    'Unable to set default user keepalived_script for script',
    "Unable to set default user for misc script '/bin/true' - removing",
  ]);
  assert.equal(config.lvs.virtualServers[0].realServers[0].checkers[0].usable, false);
  const ok = parse(text, withFiles({}, { ...HOST, users: new Set(['root', 'keepalived_script']) }));
  assert.equal(ok.rc, 0);
});

test('quorum_up/quorum_down count as check scripts', () => {
  const text = vs('  quorum_up /bin/up\n  quorum_down /bin/down\n  real_server 10.0.0.2 80 {\n  }');
  assert.equal(parse(text, withFiles({})).rc, 6);
  assert.equal(parse(SEC + text, withFiles({})).rc, 0);
});
