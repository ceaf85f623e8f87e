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
