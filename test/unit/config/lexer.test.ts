// The existing lexer (src/config/lexer.ts) against keepalived 2.2.7's rules.
// Observed with `keepalived -t` here: `global_defs { router_id a; x }` sets
// router_id `a;`; an extra `}` gives "Extra '}' found"; a missing one gives
// "There are 1 missing '}'s or extra '{'s"; `zN "q"` style quotes end a word.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticSink } from '../../../src/config/diagnostics.js';
import { lexLine, treeFromText, type LexItem } from '../../../src/config/lexer.js';

const texts = (items: LexItem[]): (string[] | string)[] =>
  items.map((i) => (i.kind === 'words' ? i.tokens.map((t) => t.text) : i.kind));

describe('lexLine', () => {
  it('drops comments starting with # or ! outside double quotes', () => {
    const d = new DiagnosticSink();
    assert.deepEqual(texts(lexLine('router_id a # note', 'f', 1, d)), [['router_id', 'a']]);
    assert.deepEqual(texts(lexLine('router_id a ! note', 'f', 1, d)), [['router_id', 'a']]);
    assert.deepEqual(texts(lexLine('x "a # b" c', 'f', 1, d)), [['x', 'a # b', 'c']]);
    assert.deepEqual(lexLine('   # only a comment', 'f', 1, d), []);
  });

  it('treats \\# and \\! as the characters themselves', () => {
    const d = new DiagnosticSink();
    assert.deepEqual(texts(lexLine('pass ab\\#cd\\!e', 'f', 1, d)), [['pass', 'ab#cd!e']]);
  });

  it('does not let an escaped quote end a quoted region for comment stripping', () => {
    // decomment() skips `\"`, so the `#` stays quoted; word splitting (which
    // knows no escapes) then closes the quote early, as keepalived does.
    const d = new DiagnosticSink();
    assert.deepEqual(texts(lexLine('x "a\\"#b" c', 'f', 1, d)), [['x', 'a\\', '#b']]);
    assert.deepEqual(
      d.items.map((x) => x.message.startsWith('Unmatched quote')),
      [true],
    );
  });

  it('splits a line at braces outside quotes', () => {
    const d = new DiagnosticSink();
    assert.deepEqual(texts(lexLine('virtual_ipaddress { 10.0.0.1/24 }', 'f', 1, d)), [
      ['virtual_ipaddress'],
      'open',
      ['10.0.0.1/24'],
      'close',
    ]);
    assert.deepEqual(texts(lexLine('x "a{b}" {', 'f', 1, d)), [['x', 'a{b}'], 'open']);
  });

  it('ends an unquoted word at a double quote, as alloc_strvec_r does', () => {
    const d = new DiagnosticSink();
    const [w] = lexLine('kw ab"c d"e', 'f', 1, d);
    assert.equal(w.kind, 'words');
    if (w.kind !== 'words') return;
    assert.deepEqual(
      w.tokens.map((t) => [t.text, t.quoted]),
      [
        ['kw', false],
        ['ab', false],
        ['c d', true],
        ['e', false],
      ],
    );
  });

  it('reports an unmatched quote with its column and keeps the words before it', () => {
    const d = new DiagnosticSink();
    assert.deepEqual(texts(lexLine('notify "abc def', 'f.conf', 7, d)), [['notify']]);
    assert.equal(d.items.length, 1);
    assert.match(d.items[0].message, /Unmatched quote/);
    assert.deepEqual(d.items[0].pos, { file: 'f.conf', line: 7, col: 8 });
  });

  it('gives 1-based columns, shifted by colOffset', () => {
    const d = new DiagnosticSink();
    const items = lexLine('  state  BACKUP', 'f', 3, d, 4);
    assert.equal(items[0].kind, 'words');
    if (items[0].kind !== 'words') return;
    assert.deepEqual(
      items[0].tokens.map((t) => t.pos.col),
      [7, 14],
    );
    assert.equal(items[0].rest, 'BACKUP');
    assert.equal(items[0].restPos.col, 14);
  });
});

describe('buildTree via treeFromText', () => {
  it('opens a block on the same line or the next', () => {
    const d = new DiagnosticSink();
    const t = treeFromText(
      'vrrp_instance A {\n state MASTER\n}\nvrrp_instance B\n{\n priority 5\n}',
      'f',
      d,
    );
    assert.deepEqual(
      t.map((n) => [n.keyword, n.children?.map((c) => c.keyword)]),
      [
        ['vrrp_instance', ['state']],
        ['vrrp_instance', ['priority']],
      ],
    );
    assert.equal(d.items.length, 0);
  });

  it('keeps `;` as part of a word: router_id a; x', () => {
    const d = new DiagnosticSink();
    const [g] = treeFromText('global_defs { router_id a; x }', 'f', d);
    assert.equal(g.keyword, 'global_defs');
    assert.deepEqual(
      g.children?.map((c) => [c.keyword, c.args.map((a) => a.text)]),
      [['router_id', ['a;', 'x']]],
    );
  });

  it("reports an extra '}' and a missing '}'", () => {
    const d1 = new DiagnosticSink();
    treeFromText('global_defs {\n}\n}', 'f', d1);
    assert.deepEqual(
      d1.items.map((x) => [x.message, x.pos?.line]),
      [["Extra '}' found", 3]],
    );
    const d2 = new DiagnosticSink();
    treeFromText('global_defs {\nvrrp_instance X {\n}', 'f', d2);
    assert.deepEqual(
      d2.items.map((x) => x.message),
      ["There are 1 missing '}'s or extra '{'s"],
    );
  });
});
