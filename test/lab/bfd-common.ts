// Shared pieces of the BFD interop lab tests (bfd-bird.test.ts, bfd-frr.test.ts): a veth between
// a peer host (198.51.100.1, 2001:db8:3::1) and stayalive's host (.2, ::2), stayalive's side run
// by test/lab/bfd-driver.ts, and the timing of detection against the peer's kill or a cut.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { waitFor, type Host, type Lab, type LabProcess, type Link } from './lib/index.js';

export const PEER = { v4: '198.51.100.1', v6: '2001:db8:3::1' };
export const OURS = { v4: '198.51.100.2', v6: '2001:db8:3::2' };
/** Both sides run 50 ms × 3: detection should take ~150 ms. */
export const TX_MS = 50;
export const MULT = 3;

const driver = fileURLToPath(new URL('./bfd-driver.ts', import.meta.url));
// Absolute, so the driver starts whatever the test's working directory.
const tsxLoader = import.meta.resolve('tsx');

/** Wall-clock milliseconds with sub-millisecond precision (same clock as the driver's `t`). */
export const wall = (): number => performance.timeOrigin + performance.now();

export interface Pair {
  peer: Host;
  ours: Host;
  link: Link;
}

export async function pair(lab: Lab): Promise<Pair> {
  const peer = await lab.host('peer');
  const ours = await lab.host('sa');
  const link = await lab.link(
    ours,
    peer,
    { ifname: 'eth0', mac: '02:00:00:00:01:02', addrs: [`${OURS.v4}/24`, `${OURS.v6}/64`] },
    { ifname: 'eth0', mac: '02:00:00:00:01:01', addrs: [`${PEER.v4}/24`, `${PEER.v6}/64`] },
  );
  // cutLink sets an interface down, which flushes its IPv6 addresses unless told not to.
  for (const h of [peer, ours]) {
    await h.exec(['sysctl', '-qw', 'net.ipv6.conf.eth0.keep_addr_on_down=1']);
  }
  return { peer, ours, link };
}

export interface DriverEvent {
  ev: string;
  t: number;
  name?: string;
  to?: string;
  from?: string;
  diag?: number;
  message?: string;
  sessions?: { name: string; state: string; counters: Record<string, number> }[];
}

export class Driver {
  readonly proc: LabProcess;
  constructor(host: Host, lab: Lab) {
    this.proc = host.spawn(
      [
        'env',
        `SA_DRIVER_MAX_S=100`,
        process.execPath,
        '--import',
        tsxLoader,
        driver,
        String(TX_MS),
        String(TX_MS),
        String(MULT),
        PEER.v4,
        PEER.v6,
      ],
      { logTo: `${lab.dir}/driver-${lab.seq++}.log` },
    );
  }

  events(): DriverEvent[] {
    return this.proc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as DriverEvent);
  }

  /** The first transition of `name` to `to` after `since` (wall ms), waiting up to `ms`. */
  async next(name: string, to: string, since: number, ms = 5000): Promise<DriverEvent> {
    return waitFor(
      () => {
        if (!this.proc.running) throw new Error(`driver exited:\n${this.proc.output()}`);
        return this.events().find(
          (e) => e.ev === 'state' && e.name === name && e.to === to && e.t >= since,
        );
      },
      { timeoutMs: ms, intervalMs: 10, what: `${name} → ${to}` },
    );
  }

  /** Both families Up after `since`; returns ms from `since` to the later Up. */
  async bothUp(since: number, ms = 5000): Promise<number> {
    const [a, b] = await Promise.all([
      this.next(PEER.v4, 'Up', since, ms),
      this.next(PEER.v6, 'Up', since, ms),
    ]);
    return Math.max(a.t, b.t) - since;
  }

  /** Both families Down after `since` (diag 1 expected); ms from `since` per family. */
  async bothDown(since: number): Promise<{ v4: number; v6: number }> {
    const [a, b] = await Promise.all([
      this.next(PEER.v4, 'Down', since, 3000),
      this.next(PEER.v6, 'Down', since, 3000),
    ]);
    assert.equal(a.diag, 1, 'IPv4 went Down on detection timeout (diag 1)');
    assert.equal(b.diag, 1, 'IPv6 went Down on detection timeout (diag 1)');
    return { v4: round(a.t - since), v6: round(b.t - since) };
  }

  /** "Expired after N ms" values logged since `since` (silence before Down). */
  expiredAfter(since: number): number[] {
    return this.events()
      .filter((e) => e.ev === 'log' && e.t >= since)
      .flatMap((e) => {
        const m = /Expired after (\d+) ms/.exec(e.message ?? '');
        return m ? [Number(m[1])] : [];
      });
  }

  async stop(): Promise<DriverEvent | undefined> {
    await this.proc.stop(3000);
    return this.events().find((e) => e.ev === 'status');
  }
}

export const round = (x: number): number => Math.round(x * 10) / 10;

/**
 * Detection after a SIGKILL of the peer must be about Detection Time (150 ms): at least the
 * time since the peer's last packet can be anything in one TX interval, so between
 * 150 − 50 ms and 150 ms plus scheduling slack.
 */
export function assertDetection(what: string, ms: number): void {
  assert.ok(ms >= 80 && ms <= 260, `${what}: detection took ${ms} ms, expected ~150 ms`);
}

/**
 * A cut or partition made by a command (ip / nft, ~30 ms, more under load): Down must come
 * within Detection Time (+ slack) of the command's end, and the logged silence before it
 * ("Expired after") must be the Detection Time. Returns ms from the command's end per family.
 */
export async function cutDetection(
  drv: Driver,
  what: string,
  action: () => Promise<void>,
): Promise<{ v4: number; v6: number; commandMs: number; expiredAfterMs: number[] }> {
  const before = wall();
  await action();
  const after = wall();
  const down = await drv.bothDown(before);
  const v4 = round(down.v4 - (after - before));
  const v6 = round(down.v6 - (after - before));
  const expired = drv.expiredAfter(before);
  for (const [fam, ms] of [
    ['IPv4', v4],
    ['IPv6', v6],
  ] as const) {
    assert.ok(ms <= 220, `${what} ${fam}: Down ${ms} ms after the command, expected ≤ ~150 ms`);
  }
  assert.equal(expired.length, 2);
  for (const e of expired) assert.ok(e >= 150 && e <= 220, `${what}: expired after ${e} ms`);
  return { v4, v6, commandMs: round(after - before), expiredAfterMs: expired };
}

/** One line for the test's report (and the lead's). */
export function report(what: string, values: object): void {
  process.stdout.write(`BFD ${what}: ${JSON.stringify(values)}\n`);
}
