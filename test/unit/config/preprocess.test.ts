// The preprocessor against keepalived 2.2.7. Cases marked "observed" were run
// through `keepalived -t -i main` here and the resulting keywords read from
// its "Unknown keyword '…'" messages, e.g.:
//   $X=zz_${_HASH}a / $X        → 'zz_'   (the # from _HASH starts a comment)
//   $Y=zz_y: $Yq / $Y,w / ${Y}q → '$Yq', 'zz_y,w', 'zz_yq'
//   ~SEQ(j,0)                   → 1 then 0;  ~SEQ(k,-2) → -1, -2
//   ~SEQx(h,9,11)               → 9, a, b
//   ~LST({a,b},{1,2},{3})       → 1_2, 3_ (missing values are empty)
//   x { @other y }              → y and the `}` are dropped ("1 missing '}'")
//   include missing.conf → 0; includem/includew/includea missing.conf → exit 6
//   includeb {inc,missing}.conf → exit 6; include {inc,missing}.conf reads inc
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticSink, type Diagnostic } from '../../../src/config/diagnostics.js';
import { Preprocessor } from '../../../src/config/preprocess.js';
import { memFs, normPath } from './mem-fs.js';

interface Run {
  lines: string[];
  where: string[];
  diags: Diagnostic[];
}

function run(files: Record<string, string>, configId = 'main', random?: () => number): Run {
  const diag = new DiagnosticSink();
  const pre = new Preprocessor({ fs: memFs(files, { norm: normPath }), configId, random }, diag);
  const lines: string[] = [];
  const where: string[] = [];
  if (pre.start('/k/main.conf'))
    for (let l = pre.next(); l; l = pre.next()) {
      lines.push(l.text);
      where.push(`${l.file}:${l.line}`);
    }
  return { lines, where, diags: diag.items };
}
const lines = (text: string, id = 'main'): string[] => run({ '/k/main.conf': text }, id).lines;

describe('conditional lines', () => {
  it('keeps @id lines for the matching id and @^id lines for the others', () => {
    const text = '@main a 1\n@backup b 2\n@^main c 3\n@^backup d 4\n@main\n';
    assert.deepEqual(lines(text, 'main'), ['a 1', 'd 4']);
    assert.deepEqual(lines(text, 'backup'), ['b 2', 'c 3']);
  });
  it('applies to the residue after a brace (observed)', () => {
    assert.deepEqual(lines('x { @main y 1 }\nz { @other y 2 }'), ['x', '{', 'y 1', '}', 'z', '{']);
  });
});

describe('macros', () => {
  it('substitutes $NAME before blank , ) or end, and ${NAME} anywhere (observed)', () => {
    assert.deepEqual(lines('$Y=zz_y\n$Yq\n$Y,w\n${Y}q\n$Y)\n${UNDEF} x'), [
      '$Yq',
      'zz_y,w',
      'zz_yq',
      'zz_y)',
      '$',
      '{',
      'UNDEF',
      '}',
      'x',
    ]);
  });
  it('needs no blank before = and ignores leading blanks and comments', () => {
    assert.deepEqual(lines('  $A=  one two  # c\n$B =x\n$A'), ['$B =x', 'one two']);
  });
  it('expands recursively at use time', () => {
    const t = '$AB=10.2.${SUB}\n$SUB=0\n${AB}.100/32\n$SUB=10\n${AB}.100/32';
    assert.deepEqual(lines(t), ['10.2.0.100/32', '10.2.10.100/32']);
  });
  it('re-strips comments after substitution: ${_HASH} starts one (observed)', () => {
    assert.deepEqual(lines('$X=zz_${_HASH}a\n$X\nq "${_BANG}"'), ['zz_', 'q "!"']);
  });
  it('lets a value carry a conditional, as the man page shows', () => {
    assert.deepEqual(lines('$IF_MAIN=@main\n$IF_MAIN priority 240'), ['priority 240']);
    assert.deepEqual(lines('$IF_MAIN=@main\n$IF_MAIN priority 240', 'other'), []);
  });
  it('reports a self-referencing definition instead of looping', () => {
    const r = run({ '/k/main.conf': '$A=x $A\n$A' });
    assert.ok(r.diags.some((d) => d.klass === 'error' && /does not terminate/.test(d.message)));
  });
  it('expands multi-line definitions only at the end of a line, each line processed', () => {
    const t = '$M= \\\n  a 1 \\\n\n  # comment inside is skipped\n';
    // An empty line ends the definition; here it ends after `a 1`.
    assert.deepEqual(lines(`${t}$M\nfoo $M\n$M bar`), ['a 1', 'foo a 1', '$M bar']);
    const t2 = '$M=first \\\n  @main second \\\n  @other third \\\n  $N\n$N=n\n$M';
    assert.deepEqual(lines(t2), ['first', 'second', 'n']);
  });
  it('nests multi-line definitions', () => {
    const t =
      '$RS= \\\nrs ${I} \\\nend_rs\n$VS= \\\nvs { \\\n$I=1 \\\n$RS \\\n$I=2 \\\n$RS \\\n}\n$VS';
    assert.deepEqual(lines(t), ['vs', '{', 'rs 1', 'end_rs', 'rs 2', 'end_rs', '}']);
  });
  it('predefines _INSTANCE, _PWD and _RANDOM', () => {
    const r = run(
      {
        '/k/main.conf':
          'a ${_INSTANCE}\nb ${_PWD}\nc ${_RANDOM}\nd ${_RANDOM 5 9}\ne ${_RANDOM 7 7 }',
      },
      'n1',
      () => 0.5,
    );
    assert.deepEqual(r.lines, ['a n1', 'b /k', 'c 16384', 'd 7', 'e $', '{', '_RANDOM 7 7', '}']);
  });
});

describe('~SEQ and ~LST', () => {
  it('counts up, down and in hex (observed)', () => {
    assert.deepEqual(lines('~SEQ(i,3) s$i'), ['s1', 's2', 's3']);
    assert.deepEqual(lines('~SEQ(j,0) t$j'), ['t1', 't0']);
    assert.deepEqual(lines('~SEQ(k,-2) u$k'), ['u-1', 'u-2']);
    assert.deepEqual(lines('~SEQx(h,9,11) h$h'), ['h9', 'ha', 'hb']);
    assert.deepEqual(lines('~SEQ(v, 0x10, 8, 0x20) v$v'), ['v16', 'v24', 'v32']);
    assert.deepEqual(lines('~SEQ(w,5,2) w$w'), ['w5', 'w4', 'w3', 'w2']);
  });
  it('nests and combines on one line, innermost first', () => {
    assert.deepEqual(lines('~SEQ(m,1,2) ~LST(n,x,y) z${m}$n'), ['z1x', 'z1y', 'z2x', 'z2y']);
  });
  it('binds several variables per ~LST set, blank when missing (observed)', () => {
    assert.deepEqual(lines('~LST({a,b},{1,2},{3}) l_${a}_${b}'), ['l_1_2', 'l_3_']);
  });
  it('expands macros in ~SEQ parameters', () => {
    assert.deepEqual(lines('$N=2\n~SEQ(i,$N) r$i'), ['r1', 'r2']);
  });
  it('reports bad specifications', () => {
    const r = run({ '/k/main.conf': '~SEQ(i,1,-1,5) x\n~SEQx(i,-3) y\n~LST({a},{1,2}) z\n~SEQ i' });
    assert.deepEqual(r.lines, []);
    const msgs = r.diags.map((d) => d.message);
    assert.ok(msgs.includes("Invalid ~SEQ values '~SEQ(i,1,-1,5) x'"));
    assert.ok(msgs.includes("~SEQx is only valid for positive numbers '~SEQx(i,-3) y'"));
    assert.ok(msgs.some((m) => m.startsWith('~LST specification has too many values')));
    assert.ok(msgs.includes("Invalid ~SEQ specification '~SEQ i'"));
    assert.ok(r.diags.every((d) => d.pos?.file === '/k/main.conf'));
  });
  it('runs a macro that holds a ~SEQ when the line still has a $', () => {
    assert.deepEqual(lines('$S=~SEQ(q,2) zs_$q\n$S'), ['zs_1', 'zs_2']);
  });
});

describe('include', () => {
  const files = {
    '/k/main.conf': 'top\ninclude conf.d/*.conf\nafter\n',
    '/k/conf.d/b.conf': 'b1\ninclude ../sub/{x,y}.conf\n',
    '/k/conf.d/a.conf': 'a1\n',
    '/k/sub/x.conf': 'x1\n',
    '/k/sub/y.conf': 'y1\n',
  };
  it('includes glob matches in order, relative to the including file', () => {
    const r = run(files);
    assert.deepEqual(r.lines, ['top', 'a1', 'b1', 'x1', 'y1', 'after']);
    assert.deepEqual(r.where, [
      '/k/main.conf:1',
      '/k/conf.d/a.conf:1',
      '/k/conf.d/b.conf:1',
      '/k/conf.d/../sub/x.conf:1',
      '/k/conf.d/../sub/y.conf:1',
      '/k/main.conf:3',
    ]);
    assert.deepEqual(r.diags, []);
  });

  const klass = (line: string, extra: Record<string, string> = {}): string[] =>
    run({ '/k/main.conf': line, '/k/inc.conf': 'i', '/k/d/x.conf': 'x', ...extra }).diags.map(
      (d) => `${d.klass}:${d.message}`,
    );
  it('classifies misses per include variant as keepalived -t does (observed)', () => {
    assert.deepEqual(klass('include missing.conf'), ["info:Config files missing 'missing.conf'."]);
    assert.deepEqual(klass('includer missing.conf'), ["info:Config files missing 'missing.conf'."]);
    assert.deepEqual(klass('includeb missing.conf'), ["info:Config files missing 'missing.conf'."]);
    for (const v of ['includem', 'includew', 'includea'])
      assert.deepEqual(klass(`${v} missing.conf`), [
        "security:Config files missing 'missing.conf'.",
      ]);
    assert.deepEqual(klass('include *.nomatch'), []);
    assert.deepEqual(klass('includew *.nomatch'), [
      "security:No config files matched '*.nomatch'.",
    ]);
    assert.deepEqual(klass('include {inc,missing}.conf'), [
      'info:Some config files missing: "{inc,missing}.conf".',
    ]);
    assert.deepEqual(klass('includeb {inc,missing}.conf'), [
      'security:Some config files missing: "{inc,missing}.conf".',
    ]);
    assert.deepEqual(klass('includem {m1,m2}.conf'), ["info:Config files missing '{m1,m2}.conf'."]);
    assert.deepEqual(klass('includem d'), [
      "security:Configuration file '/k/d/' is a directory - skipping",
    ]);
  });
  it('still reads the files that exist when only some are missing', () => {
    assert.deepEqual(
      run({ '/k/main.conf': 'include {inc,missing}.conf', '/k/inc.conf': 'i' }).lines,
      ['i'],
    );
    assert.deepEqual(
      run({ '/k/main.conf': 'includeb {inc,missing}.conf', '/k/inc.conf': 'i' }).lines,
      [],
    );
  });
  it('honours include_check for plain includes, restored after the file', () => {
    const r = run({
      '/k/main.conf': 'include inc.conf\ninclude m1.conf',
      '/k/inc.conf': 'include_check match\ninclude m2.conf',
    });
    assert.deepEqual(
      r.diags.map((d) => d.klass),
      ['security', 'info'],
    );
  });
  it('reports an include loop instead of recursing', () => {
    const r = run({ '/k/main.conf': 'a\ninclude main.conf\nb', '/k/x': '' });
    assert.deepEqual(r.lines, ['a', 'b']);
    assert.equal(r.diags.length, 1);
    assert.match(r.diags[0].message, /Include loop/);
    assert.equal(r.diags[0].klass, 'warning');
  });
  it('recognises include after @id and $NAME, with a note (keepalived children read it twice)', () => {
    const r = run({
      '/k/main.conf': '@main include inc.conf\n$I=include inc.conf\n$I',
      '/k/inc.conf': 'i',
    });
    assert.deepEqual(r.lines, ['i', 'i']);
    assert.deepEqual(
      r.diags.map((d) => d.klass),
      ['info', 'info'],
    );
  });
  it('needs a blank after the include word', () => {
    assert.deepEqual(lines('include\nincludex a\nincludem'), ['include', 'includex a', 'includem']);
  });
  it('reports a missing main file as file-not-found', () => {
    const diag = new DiagnosticSink();
    const pre = new Preprocessor({ fs: memFs({}, { norm: normPath }), configId: 'x' }, diag);
    assert.equal(pre.start('/etc/keepalived/keepalived.conf'), false);
    assert.deepEqual(
      diag.items.map((d) => [d.klass, d.code, d.message]),
      [
        [
          'file-not-found',
          'SA_ERR_CONFIG_FILE_NOT_FOUND',
          "Config files missing '/etc/keepalived/keepalived.conf'.",
        ],
      ],
    );
  });
});
