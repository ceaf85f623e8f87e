// os/fifo.ts against the real file system: keepalived's FIFO mode and owner, and writes that
// never block.
import assert from 'node:assert/strict';
import {
  existsSync,
  readFileSync,
  symlinkSync,
  mkdtempSync,
  openSync,
  readSync,
  closeSync,
  constants,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FifoWriter } from '../../../src/os/fifo.js';

const isRoot = process.getuid?.() === 0;

test(
  'a missing FIFO is made 0644 and handed to its user; an existing path is left alone',
  {
    skip: !isRoot && 'needs root to chown',
  },
  () => {
    const dir = mkdtempSync('/tmp/sa-fifo-');
    const path = join(dir, 'notify');
    const w = new FifoWriter(path, { user: 'nobody', group: null });
    const st = statSync(path);
    assert.ok(st.isFIFO());
    assert.equal(st.mode & 0o777, 0o644);
    assert.equal(st.uid, 65534);
    // A reader gets the lines; with no reader draining, writes neither block nor throw.
    const r = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    w.write('INSTANCE "VI_1" MASTER 100');
    const buf = Buffer.alloc(100);
    const n = readSync(r, buf);
    assert.equal(buf.subarray(0, n).toString(), 'INSTANCE "VI_1" MASTER 100\n');
    closeSync(r);
    for (let i = 0; i < 10_000; i++) w.write('x'.repeat(100));
    // A second holder of the same path (the checkers share notify_fifo with VRRP): the FIFO
    // stays until the last one closes it.
    const w2 = new FifoWriter(path, null);
    w.close();
    assert.ok(existsSync(path), 'still held');
    w2.close();
    assert.equal(existsSync(path), false, 'a FIFO we made is removed when the last holder closes');
    // A regular file already there is not replaced, nor chowned.
    const plain = join(dir, 'plain');
    writeFileSync(plain, '');
    new FifoWriter(plain, { user: 'nobody', group: null }).close();
    assert.ok(statSync(plain).isFile());
    assert.equal(statSync(plain).uid, 0);
    // A symlink planted at the path is not followed: the line is lost, the target untouched.
    const link = join(dir, 'link');
    symlinkSync(plain, link);
    const l = new FifoWriter(link, null);
    l.write('INSTANCE "VI_1" MASTER 100');
    l.close();
    assert.equal(readFileSync(plain, 'utf8'), '');
    assert.ok(existsSync(plain) && existsSync(link), 'not ours: nothing removed');
  },
);
