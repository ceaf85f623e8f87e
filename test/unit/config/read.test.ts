// readConfigTree: files → preprocessor → lexer → tree, with positions kept.
// Observed with keepalived -t here: a missing main file prints
// "Config files missing '<path>'." and exits 0; an empty file exits 0.
import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DiagnosticSink } from '../../../src/config/diagnostics.js';
import { readConfigTree } from '../../../src/config/read.js';
import type { ConfigFs } from '../../../src/config/source.js';
import { nodeConfigFs } from '../../../src/os/config-fs.js';

function flatFs(files: Record<string, string>): ConfigFs {
  return {
    readFile: (p) => files[p],
    isDir: (p) => p === '/k' || p === '/k/',
    listDir: (p) =>
      p === '/k' || p === '/k/'
        ? Object.keys(files)
            .filter((f) => f.startsWith('/k/'))
            .map((f) => f.slice(3))
        : undefined,
  };
}

describe('readConfigTree', () => {
  it('builds blocks across included files and keeps each line’s own position', () => {
    const fs = flatFs({
      '/k/main.conf':
        'global_defs {\n  include ids.conf\n}\nvrrp_instance VI_1 {\n    state BACKUP\n}\n',
      '/k/ids.conf': '# ids\n\n   router_id r1\n',
    });
    const d = new DiagnosticSink();
    const t = readConfigTree('/k/main.conf', { fs, configId: 'x' }, d);
    assert.deepEqual(d.items, []);
    assert.equal(t.length, 2);
    const rid = t[0].children?.[0];
    assert.equal(rid?.keyword, 'router_id');
    assert.deepEqual(rid?.pos, { file: '/k/ids.conf', line: 3, col: 4 });
    assert.deepEqual(rid?.args[0].pos, { file: '/k/ids.conf', line: 3, col: 14 });
    const state = t[1].children?.[0];
    assert.deepEqual(state?.pos, { file: '/k/main.conf', line: 5, col: 5 });
    assert.equal(state?.rest, 'BACKUP');
  });

  it('points at the right column after an @id prefix and a brace residue', () => {
    const fs = flatFs({ '/k/main.conf': 'a {\n@main   b 1\n}\nc { d 2 }' });
    const t = readConfigTree('/k/main.conf', { fs, configId: 'main' }, new DiagnosticSink());
    assert.deepEqual(t[0].children?.[0].pos, { file: '/k/main.conf', line: 2, col: 9 });
    assert.deepEqual(t[1].children?.[0].pos, { file: '/k/main.conf', line: 4, col: 5 });
  });

  it('keeps the script text in rest for script-like keywords', () => {
    const fs = flatFs({ '/k/main.conf': 'vrrp_script s {\n  script "/bin/chk \'a b\'"  # c\n}' });
    const t = readConfigTree('/k/main.conf', { fs, configId: 'x' }, new DiagnosticSink());
    assert.equal(t[0].children?.[0].rest, '"/bin/chk \'a b\'"');
  });

  it('reports a missing main file as file-not-found and returns nothing', () => {
    const d = new DiagnosticSink();
    const t = readConfigTree('/k/none.conf', { fs: flatFs({}), configId: 'x' }, d);
    assert.deepEqual(t, []);
    assert.equal(d.items[0].klass, 'file-not-found');
    assert.equal(d.items[0].code, 'SA_ERR_CONFIG_FILE_NOT_FOUND');
  });

  it('reads real files through nodeConfigFs, relative includes included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-read-'));
    try {
      mkdirSync(join(dir, 'conf.d'));
      writeFileSync(join(dir, 'keepalived.conf'), 'include conf.d/*.conf\nlast ${_PWD}\n');
      writeFileSync(join(dir, 'conf.d', 'b.conf'), 'b\n');
      writeFileSync(join(dir, 'conf.d', 'a.conf'), 'a\r\ninclude ../x.inc\n');
      writeFileSync(join(dir, 'x.inc'), 'x\n');
      const d = new DiagnosticSink();
      const t = readConfigTree(
        join(dir, 'keepalived.conf'),
        { fs: nodeConfigFs, configId: 'x' },
        d,
      );
      assert.deepEqual(d.items, []);
      assert.deepEqual(
        t.map((n) => [n.keyword, ...n.args.map((a) => a.text)]),
        [['a'], ['x'], ['b'], ['last', dir]],
      );
      assert.equal(t[2].pos.file, join(dir, 'conf.d', 'b.conf'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never throws on arbitrary text and gives every diagnostic a position (property)', () => {
    const alphabet = fc.constantFrom(
      ...'ab $=@^~{}()"\'#!\\\n\t,SEQLSTx01_-*?[]'.split(''),
      '~SEQ(',
      '~LST(',
      '${',
      '$A=',
      'include ',
      'includem ',
      '@main ',
      '\\\n',
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 60 }),
        fc.array(alphabet, { maxLength: 30 }),
        (a, b) => {
          const fs = flatFs({ '/k/main.conf': a.join(''), '/k/b': b.join('') });
          const d = new DiagnosticSink();
          readConfigTree('/k/main.conf', { fs, configId: 'main', random: () => 0.3 }, d);
          for (const x of d.items) {
            const p = x.pos;
            assert.ok(p, `no position: ${x.message}`);
            assert.ok(p.line >= 1 && p.col >= 1, `bad position for ${x.message}`);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
