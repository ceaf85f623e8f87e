// The native addon against the real kernel (root): raw ICMP/ICMPv6/VRRP sockets with ancillary
// data, packet sockets over a veth pair, unix datagrams (abstract and path), typed errors and
// clean shutdown. Each case runs in a child (test/lab/native-cases.ts) under `ip netns exec`
// in a namespace of its own, so nothing outside it is touched; the child must exit by itself,
// which proves close() left no libuv handle behind.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeAvailable } from '../../src/os/native.js';

const ns = `sa-native-${process.pid}`;
const cases = fileURLToPath(new URL('./native-cases.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
// Lab tests fail (never skip) when they cannot run, with a one-line reason.
const missing =
  process.getuid?.() !== 0
    ? 'lab tests need root (network namespaces, raw sockets)'
    : !nativeAvailable()
      ? 'the native addon is not built (npm ci, or npm run install)'
      : undefined;

function sh(...args: string[]): void {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

type Json = Record<string, unknown>;

/** Runs one case in the namespace; asserts it exited on its own with status 0. */
function runCase(name: string, prefix: string[] = []): Json {
  const r = spawnSync(
    'ip',
    ['netns', 'exec', ns, ...prefix, process.execPath, '--import', 'tsx', cases, name],
    { cwd: root, encoding: 'utf8', timeout: 20_000 },
  );
  assert.equal(r.signal, null, `case ${name} hung (killed): ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  assert.equal(r.status, 0, `case ${name} failed: ${last} ${r.stderr}`);
  return JSON.parse(last) as Json;
}

/** RFC 1071 sum over an IPv6 pseudo-header and payload; 0 means the checksum is right. */
function ipv6Checksum(src: string, dst: string, nextHeader: number, payload: Buffer): number {
  const pseudo = Buffer.alloc(40);
  expand6(src).copy(pseudo, 0);
  expand6(dst).copy(pseudo, 16);
  pseudo.writeUInt32BE(payload.length, 32);
  pseudo.writeUInt8(nextHeader, 39);
  const all = Buffer.concat([pseudo, payload]);
  let sum = 0;
  for (let i = 0; i + 1 < all.length; i += 2) sum += all.readUInt16BE(i);
  if (all.length % 2) sum += all[all.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function expand6(addr: string): Buffer {
  const [head, tail = ''] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = addr.includes('::')
    ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
    : h;
  return Buffer.from(groups.map((g) => g.padStart(4, '0')).join(''), 'hex');
}

describe('native addon on the real kernel', { concurrency: false }, () => {
  before(() => {
    if (missing) throw new Error(missing);
  });
  before(() => {
    sh('ip', 'netns', 'add', ns);
    const x = (...a: string[]): void => sh('ip', 'netns', 'exec', ns, ...a);
    x('sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0');
    // vb receives multicast whose source (va's address) is local to the namespace.
    x('sysctl', '-qw', 'net.ipv4.conf.all.accept_local=1', 'net.ipv4.conf.default.accept_local=1');
    x('sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0');
    sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', ns, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
    sh('ip', '-n', ns, 'addr', 'add', '10.77.0.1/24', 'dev', 'va');
    sh('ip', '-n', ns, 'addr', 'add', '10.77.0.2/24', 'dev', 'vb');
    sh('ip', '-n', ns, 'link', 'set', 'va', 'up');
    sh('ip', '-n', ns, 'link', 'set', 'vb', 'up');
  });

  after(() => {
    spawnSync('ip', ['netns', 'del', ns]);
  });

  test('SO_TIMESTAMPNS: rxMonoUs is when the kernel got the packet, on the monotonic clock', () => {
    const r = runCase('timestamp') as {
      warmups: number;
      before: number;
      rx: number;
      handled: number;
    };
    assert.equal(typeof r.rx, 'number');
    assert.ok(r.warmups < 20, `the kernel never stamped a packet on arrival (${r.warmups} tries)`);
    // The reply came back within the 100 ms the loop was held; JS read it only after them.
    assert.ok(r.rx >= r.before - 100, `rx ${r.rx} before the send at ${r.before}`);
    assert.ok(r.rx < r.before + 80_000, `rx ${r.rx - r.before} µs after the send`);
    assert.ok(r.handled - r.rx >= 15_000, `read ${r.handled - r.rx} µs after arrival`);
  });

  test('raw ICMP: echo to 127.0.0.1, reply with source, ifindex, TTL and IP header', () => {
    const r = runCase('icmp4');
    assert.equal(r.sent, 16);
    assert.equal(r.type, 0);
    assert.equal(r.version, 4, 'IPv4 raw reads include the IP header');
    assert.equal(r.ihl, 20);
    assert.equal(r.address, '127.0.0.1');
    assert.equal(r.destination, '127.0.0.1');
    assert.equal(r.ifindex, 1);
    assert.equal(r.ttl, 64);
  });

  test('raw ICMPv6: echo to ::1, reply with hop limit and ifindex', () => {
    const r = runCase('icmp6');
    assert.equal(r.type, 129);
    assert.equal(r.address, '::1');
    assert.equal(r.destination, '::1');
    assert.equal(r.ifindex, 1);
    assert.equal(r.ttl, 64);
  });

  test('raw proto 112 over IPv4: multicast 224.0.0.18 TTL 255 from va, received on vb', () => {
    const r = runCase('vrrp4');
    assert.equal(r.address, '10.77.0.1');
    assert.equal(r.destination, '224.0.0.18');
    assert.equal(r.ifindex, r.vb);
    assert.equal(r.ttl, 255);
    assert.equal(r.headerTtl, 255);
    assert.equal(r.headerTos, 0xc0);
    assert.equal(r.payloadHex, r.sentHex);
  });

  test('raw proto 112 over IPv6: ff02::12 hop limit 255, kernel-filled checksum', () => {
    const r = runCase('vrrp6');
    assert.match(String(r.address), /^fe80:/);
    assert.equal(r.scopeId, r.vb);
    assert.equal(r.destination, 'ff02::12');
    assert.equal(r.ifindex, r.vb);
    assert.equal(r.ttl, 255);
    const payload = Buffer.from(String(r.payloadHex), 'hex');
    assert.notEqual(payload.readUInt16BE(6), 0, 'IPV6_CHECKSUM filled the field');
    assert.equal(ipv6Checksum(String(r.address), 'ff02::12', 112, payload), 0);
  });

  test('packet socket: a crafted frame sent on va arrives intact on vb', () => {
    const r = runCase('packet');
    assert.equal(r.sent, 60);
    assert.equal(r.sameBytes, true);
    assert.equal(r.ifindex, r.vb);
    assert.equal(r.protocol, 0x88b5);
    assert.equal(r.packetType, 1, 'PACKET_BROADCAST');
    assert.equal(r.address, r.mac);
  });

  test('unix datagram: READY=1 to abstract and path receivers; bound sender named', () => {
    const r = runCase('unix');
    for (const k of ['abstract', 'path']) {
      const v = r[k] as Json;
      assert.equal(v.sent, 7);
      assert.equal(v.text, 'READY=1');
      assert.equal(v.from, '', 'an unbound sender has no name');
      assert.equal(v.existsAfterClose, false);
    }
    assert.match(String(r.boundSender), /^@sa-native-tx-\d+$/);
  });

  test('netlink: an RTM_GETLINK dump returns the namespace links and NLMSG_DONE', () => {
    const r = runCase('netlink');
    assert.equal(r.sent, 32);
    assert.deepEqual(r.names, ['lo', 'va', 'vb']);
    assert.equal(r.from, '0', 'from the kernel');
    assert.equal(r.seq, 7);
  });

  test('SendBatch: frames, unacked rtnetlink and raw datagrams leave in order in one call', () => {
    const r = runCase('batch');
    assert.equal(r.size, 6);
    // EBADF for the socket closed before run(); everything else was sent.
    assert.deepEqual(r.errs, [0, 0, 0, 0, 0, 9]);
    assert.deepEqual(r.frames, ['first\0', 'second']);
    assert.equal(r.rawFrom, '198.51.100.77', 'the address existed when the next datagram left');
    assert.equal(r.present, true);
    assert.equal(r.again, 'EEXIST');
    assert.equal(r.refused, 1, 'the kernel refused the ifindex-0 request, counted');
  });

  test('SendBatch armed for a signal: sent from the handler, once, before JavaScript runs', () => {
    const r = runCase('signalBatch');
    assert.equal((r.addArmed as Json).code, 'ERR_INVALID_STATE', 'an armed batch takes no adds');
    assert.deepEqual(r.atOnce, { fired: true, heard: 0 });
    assert.deepEqual(r.afterFirst, { frames: ['sig-1'], heard: ['TERM'] });
    assert.deepEqual(r.afterSecond, { frames: ['sig-1'], heard: ['TERM', 'TERM'] });
    assert.deepEqual(r.disarmed, {
      fired: false,
      frames: ['sig-1'],
      heard: ['TERM', 'TERM', 'INT'],
    });
    assert.deepEqual(r.rearmed, { fired: true, oneStillFired: true, frames: ['sig-1', 'sig-3'] });
  });

  test('VRRP stop batch: only masters are armed; a signal sends theirs once', () => {
    const r = runCase('stopBatch');
    // b had just lost mastership and the rebuild had not run: nothing was armed, nothing sent.
    assert.deepEqual(r.whileInvalid, { frames: [], takeA: 0 });
    // Rebuilt with a alone; the signal sent it, and Node's listener still ran both times.
    assert.deepEqual(r.fired, { frames: ['a'], heard: 2 });
    assert.deepEqual(r.takes, [1, 0, 0], "a's advert is accounted once; b had none");
  });

  test('a throwing message listener becomes an uncaught exception, not a crash', () => {
    const r = runCase('throwingListener');
    assert.equal(r.caught, 'listener threw on PING');
  });

  test('errors are typed Node errors with code, errno and syscall', () => {
    const r = runCase('errors');
    const e = (k: string): Json => r[k] as Json;
    assert.deepEqual(e('ifNameMissing'), {
      threw: true,
      name: 'Error',
      code: 'ENODEV',
      errno: -19,
      syscall: 'if_nametoindex',
    });
    assert.equal(e('ifIndexMissing').code, 'ENXIO');
    assert.equal(e('packetMissingName').code, 'ENODEV');
    assert.deepEqual(
      [e('packetMissingIndex').code, e('packetMissingIndex').syscall],
      ['ENODEV', 'bind'],
    );
    assert.equal(e('bindToDeviceMissing').code, 'ENODEV');
    assert.equal(e('bindToDeviceMissing').syscall, 'setsockopt');
    assert.equal(e('joinMissing').code, 'ENODEV');
    assert.equal(e('joinUnicast').code, 'EINVAL');
    assert.equal(e('bindForeign').code, 'EADDRNOTAVAIL');
    for (const k of ['badAddress', 'badAddress6']) {
      assert.equal(e(k).name, 'TypeError');
      assert.equal(e(k).code, 'ERR_INVALID_IP_ADDRESS');
    }
    assert.equal(e('v4Checksum').code, 'ENOPROTOOPT');
    assert.equal(e('protoUnsupported').code, 'EINVAL');
    assert.equal(e('unixNoListener').code, 'ECONNREFUSED');
    assert.equal(e('unixNoPath').code, 'ENOENT');
    assert.equal(e('afterClose').code, 'EBADF');
    assert.equal(r.fdAfterClose, -1);
  });

  test('without CAP_NET_RAW raw and packet sockets fail with EPERM', () => {
    const r = runCase('unprivileged', [
      'setpriv',
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
    ]);
    assert.equal((r.raw as Json).code, 'EPERM');
    assert.equal((r.raw as Json).syscall, 'socket');
    assert.equal((r.packet as Json).code, 'EPERM');
    assert.equal((r.unix as Json).threw, false);
  });

  test('close() inside a callback: no more messages, one close event, process exits', () => {
    const r = runCase('closeInCallback');
    assert.deepEqual(r, { calls: 1, afterClose: 0, closeEvents: 1, fd: -1 });
  });

  test('removing the last listener or unref() releases the event loop', () => {
    const r = runCase('stopAndUnref');
    assert.ok(Number(r.aFd) >= 0 && Number(r.bFd) >= 0, 'sockets still open at exit');
  });
});
