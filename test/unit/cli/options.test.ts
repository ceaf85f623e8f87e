import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getopt } from '../../../src/cli/getopt.js';
import { DEFAULT_CONFIG, parseDaemonArgs } from '../../../src/cli/options.js';

function opts(argv: string[]) {
  const r = parseDaemonArgs(argv);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.options;
}

test('defaults: keepalived config path, all subsystems, fork, syslog', () => {
  const o = opts([]);
  assert.equal(o.configFile, DEFAULT_CONFIG);
  assert.equal(o.vrrp, true);
  assert.equal(o.check, true);
  assert.equal(o.dontFork, false);
  assert.equal(o.noSyslog, false);
  assert.equal(o.configTest, undefined);
});

test('short flags cluster and take attached or separate arguments', () => {
  const o = opts(['-nlD', '-fX.conf', '-p', '/tmp/p.pid', '-i', 'high']);
  assert.equal(o.dontFork, true);
  assert.equal(o.logConsole, true);
  assert.equal(o.logDetail, true);
  assert.equal(o.configFile, 'X.conf');
  assert.equal(o.pidFile, '/tmp/p.pid');
  assert.equal(o.configId, 'high');
});

test('-t takes its optional file only when attached, like getopt', () => {
  assert.equal(opts(['-t']).configTest, true);
  assert.equal(opts(['-t/tmp/log']).configTest, '/tmp/log');
  assert.equal(opts(['--config-test=/tmp/log']).configTest, '/tmp/log');
  // A separate word is not the optional argument: it is an unexpected operand.
  const r = parseDaemonArgs(['-t', '/tmp/log']);
  assert.equal(r.ok, false);
});

test('-P alone runs only VRRP; -C alone only checkers; --all both', () => {
  assert.deepEqual([opts(['-P']).vrrp, opts(['-P']).check], [true, false]);
  assert.deepEqual([opts(['-C']).vrrp, opts(['-C']).check], [false, true]);
  assert.deepEqual([opts(['-P', '--all']).vrrp, opts(['-P', '--all']).check], [true, true]);
});

test('long options accept unique prefixes and --opt=value', () => {
  const o = opts(['--use-file=/a.conf', '--dont-f', '--log-facility', '3']);
  assert.equal(o.configFile, '/a.conf');
  assert.equal(o.dontFork, true);
  assert.equal(o.logFacility, '3');
});

test('unknown and incomplete options give keepalived-worded errors', () => {
  assert.deepEqual(parseDaemonArgs(['-z']), { ok: false, error: 'Unknown option -z' });
  assert.deepEqual(parseDaemonArgs(['--bogus']), { ok: false, error: 'Unknown option --bogus' });
  assert.deepEqual(parseDaemonArgs(['-f']), {
    ok: false,
    error: 'Missing parameter for option -f',
  });
  assert.deepEqual(parseDaemonArgs(['--use-file=']), {
    ok: false,
    error: 'Missing parameter for option --use-file',
  });
  assert.equal(parseDaemonArgs(['--log-format=xml']).ok, false);
});

test('compatibility flags without an effect are accepted and listed', () => {
  const o = opts(['-x', '-m', '--perf']);
  assert.deepEqual(o.ignored, ['-x', '-m', '--perf']);
});

test('getopt: -- ends options', () => {
  const r = getopt(['-a', '--', '-b'], [{ name: 'a', short: 'a', arg: 'none' }]);
  assert.ok(r.ok);
  assert.deepEqual(r.operands, ['-b']);
});

test('getopt: ambiguous long prefix is an error', () => {
  const r = getopt(
    ['--lo'],
    [
      { name: 'x', long: 'log-console', arg: 'none' },
      { name: 'y', long: 'log-detail', arg: 'none' },
    ],
  );
  assert.equal(r.ok, false);
});
