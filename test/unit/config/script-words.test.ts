// splitScriptWords against keepalived 2.2.7's alloc_strvec_quoted_escaped()
// and the escapes listed in keepalived.conf(5).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticSink } from '../../../src/config/diagnostics.js';
import { splitScriptWords } from '../../../src/config/script-words.js';

const pos = { file: 'k.conf', line: 4, col: 12 };
const split = (s: string): string[] | undefined => splitScriptWords(s, pos, new DiagnosticSink());

describe('splitScriptWords', () => {
  it('splits on blanks and groups with both quote kinds', () => {
    assert.deepEqual(split('/bin/x  a "b c" \'d e\''), ['/bin/x', 'a', 'b c', 'd e']);
  });
  it('joins adjacent quoted and unquoted pieces', () => {
    assert.deepEqual(split('abcd" efg"h \'i\'"j"'), ['abcd efgh', 'ij']);
  });
  it('applies shell-like escapes inside and outside quotes', () => {
    assert.deepEqual(split('a\\tb "c\\nd" \'\\E\''), ['a\tb', 'c\nd', '\x1b']);
    assert.deepEqual(split('\\a\\b\\f\\r\\v'), ['\x07\b\f\r\v']);
    assert.deepEqual(split('\\101\\0618'), ['A18']);
    assert.deepEqual(split('\\x41\\x4a2'), ['A\x2a'.replace('\x2a', '\xa2')]);
    assert.deepEqual(split('\\cA\\c['), ['\x01\x1b']);
  });
  it('treats any other escaped character as itself', () => {
    assert.deepEqual(split('a\\ b \\\\ \\" \\q \\x'), ['a b', '\\', '"', 'q', 'x']);
  });
  it('reports an unterminated quote and gives undefined', () => {
    const d = new DiagnosticSink();
    assert.equal(splitScriptWords('/bin/x "abc', pos, d), undefined);
    assert.equal(d.items.length, 1);
    assert.match(d.items[0].message, /missing terminating "/);
    assert.deepEqual(d.items[0].pos, pos);
  });
  it('reports a trailing backslash', () => {
    const d = new DiagnosticSink();
    assert.equal(splitScriptWords('abc \\', pos, d), undefined);
    assert.match(d.items[0].message, /Missing escape char/);
  });
  it('gives an empty argv for blank input', () => {
    assert.deepEqual(split('   '), []);
  });
});
