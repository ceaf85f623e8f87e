// Child side of test/lab/native.test.ts: runs one case against the real kernel inside the
// test's network namespace (started by `ip netns exec`), prints one JSON line with what it
// observed, and then returns without process.exit — so the parent also learns whether every
// socket really let go of the event loop.
//
// Usage: node --import tsx test/lab/native-cases.ts CASE   (namespace set up by the parent:
// lo up with multicast, veth va/vb up with 10.77.0.1/24 and 10.77.0.2/24, DAD off)
import { readFileSync, existsSync } from 'node:fs';
import { Rtnl, unackedAddAddress } from '../../src/os/rtnl/index.js';
import {
  ifIndexToName,
  ifNameToIndex,
  NetlinkProtocol,
  NetlinkSocket,
  PacketSocket,
  RawSocket,
  SendBatch,
  sendUnixDatagram,
  UnixDgramSocket,
  type RawMessage,
} from '../../src/os/native.js';
import { StopBatch } from '../../src/vrrp/stop-batch.js';

type Result = Record<string, unknown>;

/** RFC 1071 checksum over `buf`, with an optional pre-summed pseudo-header. */
function inetChecksum(buf: Buffer, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function echoRequest(type: number, id: number, seq: number, withChecksum: boolean): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(type, 0);
  b.writeUInt16BE(id, 4);
  b.writeUInt16BE(seq, 6);
  b.write('stayaliv', 8);
  if (withChecksum) b.writeUInt16BE(inetChecksum(b), 2);
  return b;
}

/** First message matching `pick`, or a rejection after `ms`. */
function first<T>(
  sock: { on(e: 'message', f: (m: RawMessage) => void): unknown; close(): void },
  pick: (m: RawMessage) => T | undefined,
  ms = 3000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('timeout waiting for a packet'));
    }, ms);
    sock.on('message', (m) => {
      const v = pick(m);
      if (v === undefined) return;
      clearTimeout(timer);
      sock.close();
      resolve(v);
    });
  });
}

function errInfo(fn: () => unknown): Result {
  try {
    fn();
    return { threw: false };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { threw: true, name: err.name, code: err.code, errno: err.errno, syscall: err.syscall };
  }
}

const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);

const cases: Record<string, () => Promise<Result>> = {
  /** SO_TIMESTAMPNS: the reply's arrival on the monotonic clock, not when JS read it. */
  async timestamp() {
    const sock = RawSocket.open(4, 1).setOption('timestampNs', true);
    const id = (process.pid + 7) & 0xffff;
    const replies = new Map<number, (v: { rx: number | undefined; handled: number }) => void>();
    sock.on('message', (m) => {
      const ihl = (m.data[0] & 0x0f) * 4;
      if (m.data[ihl] !== 0 || m.data.readUInt16BE(ihl + 4) !== id) return;
      replies.get(m.data.readUInt16BE(ihl + 6))?.({ rx: m.rxMonoUs, handled: monoUs() });
    });
    // Send echo `seq`, then keep the event loop from reading for `holdMs` while leaving the
    // CPU free (a busy loop once starved the kernel's own delivery on a loaded 2-CPU host).
    const echo = async (seq: number, holdMs: number) => {
      const got = new Promise<{ rx: number | undefined; handled: number }>((resolve, reject) => {
        replies.set(seq, resolve);
        setTimeout(() => reject(new Error(`no reply to echo ${seq}`)), 3000 + holdMs).unref();
      });
      const before = monoUs();
      sock.send(echoRequest(8, id, seq, true), '127.0.0.1');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, holdMs);
      return { before, ...(await got) };
    };
    // The first socket on a host to ask for receive timestamps switches the kernel's stamping
    // on through a work queue; until a kworker has run, a packet is stamped when it is read.
    // Warm up until the kernel stamps on arrival, then measure with a fresh echo.
    let warmups = 0;
    for (;;) {
      warmups++;
      const w = await echo(warmups, 20);
      if (w.handled - (w.rx ?? w.handled) >= 10_000 || warmups === 20) break;
    }
    const r = await echo(1000, 100);
    sock.close();
    return { warmups, ...r };
  },
  async icmp4() {
    const sock = RawSocket.open(4, 1).setOption('recvPktInfo', true).setOption('recvTtl', true);
    const id = process.pid & 0xffff;
    const got = first(sock, (m) => {
      const ihl = (m.data[0] & 0x0f) * 4;
      if (m.data[ihl] !== 0 || m.data.readUInt16BE(ihl + 4) !== id) return undefined;
      return { ...m, data: undefined, ihl, type: m.data[ihl], version: m.data[0] >> 4 };
    });
    const sent = sock.send(echoRequest(8, id, 1, true), '127.0.0.1');
    return { sent, ...(await got) };
  },

  async icmp6() {
    const sock = RawSocket.open(6, 58).setOption('recvPktInfo', true).setOption('recvTtl', true);
    const id = process.pid & 0xffff;
    const got = first(sock, (m) =>
      m.data[0] === 129 && m.data.readUInt16BE(4) === id
        ? { ...m, data: undefined, type: m.data[0] }
        : undefined,
    );
    // The kernel fills the ICMPv6 checksum itself (it always does for IPPROTO_ICMPV6).
    const sent = sock.send(echoRequest(128, id, 1, false), '::1');
    return { sent, ...(await got) };
  },

  // VRRP-style: send from va to the group with TTL 255, receive on vb (joined, bound).
  async vrrp4() {
    const va = ifNameToIndex('va');
    const vb = ifNameToIndex('vb');
    const rx = RawSocket.open(4, 112)
      .bindToDevice('vb')
      .setOption('recvPktInfo', true)
      .setOption('recvTtl', true)
      .joinGroup('224.0.0.18', vb);
    const tx = RawSocket.open(4, 112)
      .dropAllInput()
      .setOption('multicastTtl', 255)
      .setOption('multicastLoop', false)
      .setOption('multicastIf', va)
      .setOption('tos', 0xc0)
      .bind('10.77.0.1');
    const payload = Buffer.from([0x21, 51, 100, 1, 0, 1, 0, 0, 10, 77, 0, 100]);
    payload.writeUInt16BE(inetChecksum(payload), 6);
    const got = first(rx, (m) => {
      const ihl = (m.data[0] & 0x0f) * 4;
      return m.data[ihl + 1] === 51
        ? {
            ...m,
            data: undefined,
            payloadHex: m.data.subarray(ihl).toString('hex'),
            headerTtl: m.data[8],
            headerTos: m.data[1],
          }
        : undefined;
    });
    const sent = tx.send(payload, '224.0.0.18');
    const r = await got;
    tx.close();
    return { sent, va, vb, sentHex: payload.toString('hex'), ...r };
  },

  // VRRPv3 over IPv6: the kernel fills the checksum at offset 6 (IPV6_CHECKSUM), as keepalived.
  async vrrp6() {
    const va = ifNameToIndex('va');
    const vb = ifNameToIndex('vb');
    const rx = RawSocket.open(6, 112)
      .bindToDevice('vb')
      .setOption('recvPktInfo', true)
      .setOption('recvTtl', true)
      .joinGroup('ff02::12', vb);
    const tx = RawSocket.open(6, 112)
      .setOption('checksum', 6)
      .setOption('multicastTtl', 255)
      .setOption('multicastLoop', false)
      .setOption('multicastIf', va);
    const payload = Buffer.concat([
      Buffer.from([0x31, 53, 100, 1, 0, 100, 0, 0]),
      Buffer.from('fe800000000000000000000000000053', 'hex'),
    ]);
    const got = first(rx, (m) =>
      m.data[1] === 53 ? { ...m, data: undefined, payloadHex: m.data.toString('hex') } : undefined,
    );
    const sent = tx.send(payload, 'ff02::12', { ifindex: va });
    const r = await got;
    tx.close();
    return { sent, va, vb, ...r };
  },

  async packet() {
    const vb = ifNameToIndex('vb');
    const rx = PacketSocket.open('vb', 0x88b5);
    const tx = PacketSocket.open('va');
    const mac = readFileSync('/sys/class/net/va/address', 'utf8').trim();
    const frame = Buffer.alloc(60);
    Buffer.from('ffffffffffff', 'hex').copy(frame, 0);
    Buffer.from(mac.replace(/:/g, ''), 'hex').copy(frame, 6);
    frame.writeUInt16BE(0x88b5, 12);
    frame.write(`stayalive ${process.pid}`, 14);
    const got = first(rx, (m) =>
      m.data.equals(frame) ? { ...m, data: undefined, sameBytes: true } : undefined,
    );
    const sent = tx.send(frame);
    const r = await got;
    tx.close();
    return { sent, vb, mac, ...r };
  },

  async unix() {
    const out: Result = {};
    for (const [label, path] of [
      ['abstract', `@sa-native-${process.pid}`],
      ['path', `/tmp/sa-native-${process.pid}.sock`],
    ] as const) {
      const rx = UnixDgramSocket.listen(path);
      const got = first(rx, (m) => ({ text: m.data.toString(), from: m.address }));
      const sent = sendUnixDatagram(path, 'READY=1');
      out[label] = { sent, ...(await got), existsAfterClose: existsSync(path.replace(/^@/, '')) };
    }
    // A bound sender is reported by name, as systemd sees it.
    const rx = UnixDgramSocket.listen(`@sa-native-rx-${process.pid}`);
    const tx = UnixDgramSocket.listen(`@sa-native-tx-${process.pid}`);
    const got = first(rx, (m) => m.address);
    tx.send(Buffer.from('WATCHDOG=1'), `@sa-native-rx-${process.pid}`);
    out.boundSender = await got;
    tx.close();
    return out;
  },

  async errors() {
    const raw = RawSocket.open(4, 112);
    const raw6 = RawSocket.open(6, 112);
    const r: Result = {
      ifNameMissing: errInfo(() => ifNameToIndex('nosuch0')),
      ifIndexMissing: errInfo(() => ifIndexToName(99999)),
      packetMissingName: errInfo(() => PacketSocket.open('nosuch0')),
      packetMissingIndex: errInfo(() => PacketSocket.open(99999)),
      bindToDeviceMissing: errInfo(() => raw.bindToDevice('nosuch0')),
      joinMissing: errInfo(() => raw.joinGroup('224.0.0.18', 99999)),
      joinUnicast: errInfo(() => raw.joinGroup('10.0.0.1', 1)),
      bindForeign: errInfo(() => raw.bind('192.0.2.1')),
      badAddress: errInfo(() => raw.send(Buffer.alloc(8), '300.1.1.1')),
      badAddress6: errInfo(() => raw6.send(Buffer.alloc(8), 'fe80::zz')),
      v4Checksum: errInfo(() => raw.setOption('checksum', 6)),
      protoUnsupported: errInfo(() => RawSocket.open(4, 300)),
      unixNoListener: errInfo(() => sendUnixDatagram(`@sa-native-none-${process.pid}`, 'X')),
      unixNoPath: errInfo(() => sendUnixDatagram('/nonexistent/sock', 'X')),
    };
    raw.close();
    raw6.close();
    r.afterClose = errInfo(() => raw.send(Buffer.alloc(8), '127.0.0.1'));
    r.fdAfterClose = raw.fd;
    return r;
  },

  // Netlink: an RTM_GETLINK dump lists lo, va and vb, then NLMSG_DONE.
  async netlink() {
    const sock = NetlinkSocket.open(NetlinkProtocol.ROUTE).setOption('extAck', true);
    const req = Buffer.alloc(32);
    req.writeUInt32LE(32, 0); // nlmsg_len
    req.writeUInt16LE(18, 4); // RTM_GETLINK
    req.writeUInt16LE(0x301, 6); // NLM_F_REQUEST | NLM_F_DUMP
    req.writeUInt32LE(7, 8); // seq
    const links: number[] = [];
    const done = new Promise<{ from: string; seq: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no NLMSG_DONE')), 3000);
      sock.on('message', (m) => {
        for (let off = 0; off + 16 <= m.data.length;) {
          const len = m.data.readUInt32LE(off);
          const type = m.data.readUInt16LE(off + 4);
          if (type === 16) links.push(m.data.readInt32LE(off + 20)); // ifi_index
          if (type === 3) {
            clearTimeout(timer);
            sock.close();
            resolve({ from: m.address, seq: m.data.readUInt32LE(off + 8) });
            return;
          }
          off += (len + 3) & ~3;
        }
      });
    });
    const sent = sock.send(req);
    const r = await done;
    const names = links.map((i) => ifIndexToName(i)).sort();
    return { sent, names, ...r };
  },

  // SendBatch: a frame, an unacked address request, a raw datagram to that address, a frame,
  // and a datagram on a socket closed before run(): sent in order by one call. The raw
  // datagram arriving proves the kernel applied the address inside the request's sendmsg.
  async batch() {
    const va = ifNameToIndex('va');
    const rtnl = Rtnl.open();
    const rx = PacketSocket.open('vb', 0x88b5);
    const tx = PacketSocket.open('va');
    const raw = RawSocket.open(4, 253);
    const rawRx = RawSocket.open(4, 253);
    const closed = RawSocket.open(4, 253);
    const frame = (text: string): Buffer => {
      const f = Buffer.alloc(60);
      Buffer.from('ffffffffffff', 'hex').copy(f, 0);
      f.writeUInt16BE(0x88b5, 12);
      f.write(text, 14);
      return f;
    };
    const frames: string[] = [];
    const gotFrames = new Promise<void>((resolve) => {
      rx.on('message', (m) => {
        frames.push(m.data.subarray(14, 20).toString());
        if (frames.length === 2) resolve();
      });
    });
    const gotRaw = first(rawRx, (m) =>
      m.data.subarray(20).toString() === 'after' ? m.address : undefined,
    );
    const spec = { ifindex: va, address: '198.51.100.77', prefixLength: 32, family: 4 as const };
    const batch = new SendBatch().add(tx, frame('first'));
    rtnl.addUnackedTo(batch, [unackedAddAddress(spec)]);
    // Refused by the kernel (no interface 0): sent all the same, counted as refused later.
    rtnl.addUnackedTo(batch, [unackedAddAddress({ ...spec, ifindex: 0 })]);
    batch.addRaw(raw, Buffer.from('after'), '198.51.100.77');
    batch.add(tx, frame('second'));
    batch.addRaw(closed, Buffer.from('never'), '198.51.100.77');
    closed.close();
    const size = batch.size;
    const errs = batch.run();
    const rawFrom = await gotRaw;
    await gotFrames;
    const present = (await rtnl.addresses(4)).some(
      (a) => a.address === '198.51.100.77' && a.ifindex === va,
    );
    // The acked request that follows an unacked one sees it done.
    const again = await rtnl.addAddress(spec).then(
      () => 'added',
      (e: { code?: string }) => e.code,
    );
    await new Promise((r) => setTimeout(r, 50));
    const refused = rtnl.unackedRefused;
    await rtnl.deleteAddress(spec);
    rtnl.close();
    for (const s of [rx, tx, raw, rawRx]) s.close();
    return { size, errs, frames, rawFrom, present, again, refused };
  },

  // A batch armed for SIGTERM leaves from inside the signal handler (before any JavaScript
  // runs), once; Node's own listeners still run; disarm and re-arm replace it.
  async signalBatch() {
    const rx = PacketSocket.open('vb', 0x88b5);
    const tx = PacketSocket.open('va');
    const frame = (text: string): Buffer => {
      const f = Buffer.alloc(60);
      Buffer.from('ffffffffffff', 'hex').copy(f, 0);
      f.writeUInt16BE(0x88b5, 12);
      f.write(text, 14);
      return f;
    };
    const frames: string[] = [];
    rx.on('message', (m) => frames.push(m.data.subarray(14, 19).toString()));
    const heard: string[] = [];
    process.on('SIGTERM', () => heard.push('TERM'));
    process.on('SIGINT', () => heard.push('INT'));
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

    const one = new SendBatch().add(tx, frame('sig-1'));
    one.armSignals(['SIGTERM', 'SIGINT']);
    const addArmed = errInfo(() => one.add(tx, frame('late!')));
    process.kill(process.pid, 'SIGTERM');
    // Synchronously after kill(): the handler has run, no JavaScript listener has yet.
    const atOnce = { fired: one.fired, heard: heard.length };
    await settle();
    const afterFirst = { frames: [...frames], heard: [...heard] };
    process.kill(process.pid, 'SIGTERM'); // fired already: nothing more is sent
    await settle();
    const afterSecond = { frames: [...frames], heard: [...heard] };

    const two = new SendBatch().add(tx, frame('sig-2'));
    two.armSignals(['SIGINT']);
    SendBatch.disarmSignals();
    process.kill(process.pid, 'SIGINT');
    await settle();
    const disarmed = { fired: two.fired, frames: [...frames], heard: [...heard] };

    const three = new SendBatch().add(tx, frame('sig-3'));
    three.armSignals(['SIGINT']);
    process.kill(process.pid, 'SIGINT');
    await settle();
    const rearmed = { fired: three.fired, oneStillFired: one.fired, frames: [...frames] };
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGINT');
    rx.close();
    tx.close();
    return { addArmed, atOnce, afterFirst, afterSecond, disarmed, rearmed };
  },

  // vrrp/stop-batch.ts over the real handler: a master's advert is armed; losing mastership
  // disarms it at once (a backup never sends it); a signal sends it once and takeSent says so.
  async stopBatch() {
    const rx = PacketSocket.open('vb', 0x88b5);
    const tx = PacketSocket.open('va');
    const frames: string[] = [];
    rx.on('message', (m) => frames.push(m.data.subarray(14, 15).toString()));
    const heard: number[] = [];
    process.on('SIGTERM', () => heard.push(1));
    const source = (name: string) => ({
      master: false,
      addStopAdvertsTo(b: SendBatch): number {
        if (!this.master) return 0;
        const f = Buffer.alloc(60);
        Buffer.from('ffffffffffff', 'hex').copy(f, 0);
        f.writeUInt16BE(0x88b5, 12);
        f.write(name, 14);
        b.add(tx, f);
        return 1;
      },
    });
    const a = source('a');
    const b = source('b');
    const sb = new StopBatch(() => [a, b]);
    const turn = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

    a.master = true;
    b.master = true;
    sb.invalidate();
    await turn(); // rebuilt on the next turn: both armed
    b.master = false;
    sb.invalidate(); // b lost mastership: disarmed now, before any rebuild
    process.kill(process.pid, 'SIGTERM');
    await turn();
    const whileInvalid = { frames: [...frames], takeA: sb.takeSent(a) };
    await turn(); // the rebuild armed a alone
    process.kill(process.pid, 'SIGTERM');
    await turn();
    const fired = { frames: [...frames], heard: heard.length };
    const takes = [sb.takeSent(a), sb.takeSent(a), sb.takeSent(b)];
    sb.invalidate(); // a fired batch is kept: its record still answers
    a.master = false;
    sb.close();
    process.removeAllListeners('SIGTERM');
    rx.close();
    tx.close();
    return { whileInvalid, fired, takes };
  },

  // A throwing 'message' listener is an uncaught exception, as for Node's own sockets.
  async throwingListener() {
    const sock = UnixDgramSocket.listen(`@sa-native-throw-${process.pid}`);
    const caught = new Promise<string>((resolve) => {
      process.once('uncaughtException', (e) => {
        sock.close();
        resolve(e.message);
      });
    });
    sock.on('message', (m) => {
      throw new Error(`listener threw on ${m.data.toString()}`);
    });
    await new Promise((r) => setTimeout(r, 10));
    sendUnixDatagram(`@sa-native-throw-${process.pid}`, 'PING');
    return { caught: await caught };
  },

  // Run as an unprivileged user by the parent: raw and packet sockets need CAP_NET_RAW.
  async unprivileged() {
    return {
      raw: errInfo(() => RawSocket.open(4, 112)),
      packet: errInfo(() => PacketSocket.open('lo')),
      unix: errInfo(() => UnixDgramSocket.create().close()),
    };
  },

  // close() inside the first callback: later queued packets are never delivered.
  async closeInCallback() {
    const sock = RawSocket.open(4, 1);
    const id = (process.pid + 1) & 0xffff;
    let calls = 0;
    let afterClose = 0;
    let closeEvents = 0;
    sock.on('close', () => closeEvents++);
    sock.on('message', () => {
      calls++;
      if (sock.isClosed) afterClose++;
      sock.close();
    });
    for (let seq = 1; seq <= 5; seq++) sock.send(echoRequest(8, id, seq, true), '127.0.0.1');
    await new Promise((r) => setTimeout(r, 300));
    return { calls, afterClose, closeEvents, fd: sock.fd };
  },

  // Removing the last listener stops polling; unref() lets the process exit while polling.
  async stopAndUnref() {
    const a = RawSocket.open(4, 112);
    const noop = (): void => undefined;
    a.on('message', noop);
    await new Promise((r) => setTimeout(r, 20));
    a.off('message', noop);
    const b = RawSocket.open(4, 112);
    b.on('message', noop);
    b.unref();
    return { aFd: a.fd, bFd: b.fd };
  },
};

const name = process.argv[2] ?? '';
const run = cases[name];
if (!run) {
  console.log(JSON.stringify({ error: `unknown case ${name}` }));
  process.exitCode = 2;
} else {
  run().then(
    (r) => console.log(JSON.stringify(r)),
    (e: unknown) => {
      console.log(JSON.stringify({ error: String(e) }));
      process.exitCode = 1;
    },
  );
}
