import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic, DiagnosticClass } from '../../../src/config/diagnostics.js';
import { configTestExitCode, reloadBlocker, startBlocker } from '../../../src/config/verdict.js';

const d = (klass: DiagnosticClass, code = 'SA_ERR_CONFIG_BAD_VALUE'): Diagnostic => ({
  klass,
  code: code as Diagnostic['code'],
  message: 'x',
  pos: { file: 'f', line: 1, col: 1 },
});

test('no diagnostics (or only info) is exit 0', () => {
  assert.equal(configTestExitCode([]), 0);
  assert.equal(configTestExitCode([d('info')]), 0);
});

test('only cannot-run problems give 4', () => {
  assert.equal(configTestExitCode([d('bad-interface')]), 4);
  assert.equal(configTestExitCode([d('file-not-found'), d('fatal')]), 4);
});

test('one warning turns a 4 into a 5 (keepalived keeps the higher enum value)', () => {
  assert.equal(configTestExitCode([d('bad-interface'), d('warning')]), 5);
  assert.equal(configTestExitCode([d('error')]), 5);
});

test('script security wins over everything: 6', () => {
  assert.equal(configTestExitCode([d('warning'), d('security'), d('fatal')]), 6);
});

test('reload is blocked by syntax, fatal and security problems, not by warnings', () => {
  assert.equal(reloadBlocker([d('warning')]), undefined);
  assert.ok(reloadBlocker([d('warning', 'SA_ERR_CONFIG_SYNTAX')]));
  assert.ok(reloadBlocker([d('fatal')]));
  assert.ok(reloadBlocker([d('security', 'SA_ERR_CONFIG_FILE_NOT_FOUND')]));
});

test('start is blocked like keepalived: fatal, failed strict include, missing main file', () => {
  assert.ok(startBlocker([d('fatal')]));
  assert.ok(startBlocker([d('security', 'SA_ERR_CONFIG_FILE_NOT_FOUND')]));
  assert.ok(startBlocker([{ ...d('file-not-found'), pos: { file: 'k.conf', line: 0, col: 0 } }]));
  // keepalived only logs a script-security violation and a syntax slip, and runs.
  assert.equal(startBlocker([d('security', 'SA_ERR_CONFIG_SCRIPT_SECURITY')]), undefined);
  assert.equal(startBlocker([d('warning', 'SA_ERR_CONFIG_SYNTAX')]), undefined);
  assert.equal(reloadBlocker([d('security', 'SA_ERR_CONFIG_SCRIPT_SECURITY')]), undefined);
});
