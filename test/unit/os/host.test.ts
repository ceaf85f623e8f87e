// Script facts against real files: keepalived's script-security rule per path component.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readHostFacts, scriptFileFact } from '../../../src/os/host.js';

const isRoot = process.getuid?.() === 0;

test('a missing program, and a bare name not in PATH, are missing', () => {
  assert.equal(scriptFileFact('/nonexistent/script.sh'), 'missing');
  assert.equal(scriptFileFact('surely-not-a-command-xyz'), 'missing');
});

test('a root-owned program in root-owned directories is ok; bare names are found in PATH', () => {
  assert.equal(scriptFileFact('/bin/true'), 'ok');
  assert.equal(scriptFileFact('true'), 'ok');
});

test(
  'world-writable file or non-sticky directory makes a script insecure',
  { skip: !isRoot && 'needs root to own files as root' },
  () => {
    // mkdtemp under /tmp: /tmp is sticky (allowed), the new directory is 0700 root.
    const dir = mkdtempSync('/tmp/sa-host-');
    const script = join(dir, 'check.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    assert.equal(scriptFileFact(script), 'ok');
    chmodSync(script, 0o757);
    assert.equal(scriptFileFact(script), 'insecure');
    chmodSync(script, 0o755);
    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    writeFileSync(join(open, 'c.sh'), '#!/bin/sh\n', { mode: 0o755 });
    assert.equal(scriptFileFact(join(open, 'c.sh')), 'insecure');
    chmodSync(open, 0o1777); // sticky: allowed
    assert.equal(scriptFileFact(join(open, 'c.sh')), 'ok');
    // Set-uid (or set-gid) root in an open directory: it runs with root's ids whoever starts it.
    writeFileSync(join(open, 'suid'), '#!/bin/sh\n', { mode: 0o755 });
    chmodSync(open, 0o777);
    chmodSync(join(open, 'suid'), 0o4755);
    assert.equal(scriptFileFact(join(open, 'suid')), 'insecure-setid');
    chmodSync(join(open, 'suid'), 0o2755);
    assert.equal(scriptFileFact(join(open, 'suid')), 'insecure-setid');
    chmodSync(join(open, 'suid'), 0o4654); // set-uid but not executable by its owner: no root ids
    assert.equal(scriptFileFact(join(open, 'suid')), 'insecure');
    chownSync(script, 65534, 0);
    assert.equal(scriptFileFact(script), 'insecure');
    writeFileSync(join(dir, 'noexec.sh'), '#!/bin/sh\n', { mode: 0o644 });
    assert.equal(
      scriptFileFact(join(dir, 'noexec.sh')),
      isRoot ? scriptFileFact(join(dir, 'noexec.sh')) : 'not-executable',
    );
  },
);

test('host facts list interfaces of this namespace and the users root and nobody', () => {
  const h = readHostFacts();
  assert.ok(h.interfaces?.has('lo'));
  assert.ok(h.users?.has('root'));
  assert.ok(h.hostname.length > 0 && !h.hostname.includes('.'));
});
