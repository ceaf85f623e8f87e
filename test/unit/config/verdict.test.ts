import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic, DiagnosticClass } from '../../../src/config/diagnostics.js';
import { configTestExitCode, reloadBlocker } from '../../../src/config/verdict.js';

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
  assert.ok(reloadBlocker([d('security')]));
});
