// Include pattern expansion. Checked against `keepalived -t` here: `{inc}.conf`
// and `inc.c[o]nf` and `inc.c\onf` all include inc.conf; `{inc.conf` is a
// literal (missing) name; `*/x.conf` with some directories lacking x.conf
// reports "Some config files missing".
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dirName,
  expandBraces,
  globPattern,
  hasBrace,
  joinPath,
  matchComponent,
} from '../../../src/config/glob.js';
import { memFs as makeMemFs, trimSlashes } from './mem-fs.js';

/** Directory listings come back unsorted on purpose: glob sorts. */
const memFs = (files: Record<string, string>) =>
  makeMemFs(files, { norm: trimSlashes, filesAsWritten: true, reverseListing: true });

describe('expandBraces', () => {
  it('expands alternatives in order, nested, and leaves unbalanced braces alone', () => {
    assert.deepEqual(expandBraces('a{b,c}d'), ['abd', 'acd']);
    assert.deepEqual(expandBraces('{foo/{,cat,dog},bar}'), ['foo/', 'foo/cat', 'foo/dog', 'bar']);
    assert.deepEqual(expandBraces('{inc}.conf'), ['inc.conf']);
    assert.deepEqual(expandBraces('{inc.conf'), ['{inc.conf']);
    assert.deepEqual(expandBraces('a\\{b,c}'), ['a\\{b,c}']);
  });
  it('hasBrace ignores escaped braces', () => {
    assert.equal(hasBrace('x{a,b}'), true);
    assert.equal(hasBrace('x\\{a'), false);
  });
});

describe('matchComponent', () => {
  it('supports * ? [..] classes, negation and escapes', () => {
    assert.equal(matchComponent('a.conf', '*.conf'), true);
    assert.equal(matchComponent('a.cnf', '*.conf'), false);
    assert.equal(matchComponent('ab', 'a?'), true);
    assert.equal(matchComponent('a', 'a?'), false);
    assert.equal(matchComponent('inc.conf', 'inc.c[o]nf'), true);
    assert.equal(matchComponent('b1', '[!a]1'), true);
    assert.equal(matchComponent('a1', '[^a]1'), false);
    assert.equal(matchComponent('x5', 'x[0-9]'), true);
    assert.equal(matchComponent('x5', 'x[[:digit:]]'), true);
    assert.equal(matchComponent('a*', 'a\\*'), true);
    assert.equal(matchComponent('ab', 'a\\*'), false);
    assert.equal(matchComponent('a[', 'a['), true);
  });
  it('never matches a leading dot with a wildcard', () => {
    assert.equal(matchComponent('.hidden.conf', '*.conf'), false);
    assert.equal(matchComponent('.hidden.conf', '.*.conf'), true);
  });
});

describe('globPattern', () => {
  const fs = memFs({
    '/etc/k/a.conf': 'a',
    '/etc/k/b.conf': 'b',
    '/etc/k/.h.conf': 'h',
    '/etc/k/d1/x.conf': 'x1',
    '/etc/k/d2/y.conf': 'y2',
    '/etc/k/d3/x.conf': 'x3',
  });

  it('resolves relative patterns against cwd and sorts matches', () => {
    const g = globPattern('*.conf', '/etc/k', fs);
    assert.deepEqual(g.paths, ['/etc/k/a.conf', '/etc/k/b.conf']);
    assert.equal(g.haveWildcards, true);
    assert.equal(g.missingFiles + g.missingDirs, 0);
  });

  it('keeps brace alternatives in their order', () => {
    assert.deepEqual(globPattern('{b,a}.conf', '/etc/k', fs).paths, [
      '/etc/k/b.conf',
      '/etc/k/a.conf',
    ]);
  });

  it('marks directories with a trailing slash', () => {
    assert.deepEqual(globPattern('d1', '/etc/k', fs).paths, ['/etc/k/d1/']);
  });

  it('counts literal names that do not exist and directories it cannot list', () => {
    const miss = globPattern('missing.conf', '/etc/k', fs);
    assert.deepEqual([miss.paths, miss.missingFiles, miss.haveWildcards], [[], 1, false]);
    const nodir = globPattern('nodir/*.conf', '/etc/k', fs);
    assert.deepEqual([nodir.paths, nodir.missingDirs], [[], 1]);
    const some = globPattern('*/x.conf', '/etc/k', fs);
    assert.deepEqual(some.paths, ['/etc/k/d1/x.conf', '/etc/k/d3/x.conf']);
    assert.equal(some.missingFiles, 1); // d2 has no x.conf
    const none = globPattern('*.nomatch', '/etc/k', fs);
    assert.deepEqual(
      [none.paths, none.missingFiles, none.missingDirs, none.haveWildcards],
      [[], 0, 0, true],
    );
  });

  it('handles absolute patterns whatever the cwd', () => {
    assert.deepEqual(globPattern('/etc/k/d?/x.conf', '/elsewhere', fs).paths, [
      '/etc/k/d1/x.conf',
      '/etc/k/d3/x.conf',
    ]);
  });
});

describe('path helpers', () => {
  it('joinPath and dirName', () => {
    assert.equal(joinPath('/a/b', 'c.conf'), '/a/b/c.conf');
    assert.equal(joinPath('', 'c.conf'), 'c.conf');
    assert.equal(joinPath('/a', '/x'), '/x');
    assert.equal(dirName('/a/b/c.conf'), '/a/b');
    assert.equal(dirName('c.conf'), '');
    assert.equal(dirName('/c.conf'), '/');
  });
});
