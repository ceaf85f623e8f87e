/**
 * `no_accept` (and strict mode's default): a non-owner master holds its VIPs but must not accept
 * packets for them (RFC 5798 Accept_Mode false). As keepalived, an nftables table with a set of
 * VIPs per family and two chains at priority filter - 1 — `in` (input: daddr @vips drop) and
 * `out` (output: saddr @vips drop) — with neighbour discovery let through so IPv6 VIPs still
 * resolve. ARP is not filtered (the ip family never sees it), so the VIP resolves to the master
 * and the traffic is dropped there. I/O module (runs `nft -f -`).
 *
 * One filter per process, shared by every no_accept instance and reference-counted: the table is
 * created (any stale copy from a crash replaced) by the first user and deleted with the last.
 * A VIP is in the set exactly while its instance is MASTER; it is added to the set before the
 * address and removed after it, so it never accepts traffic in between.
 *
 * keepalived differences: the table is `stayalive_vrrp` (keepalived's is `keepalived`, or the
 * `nftables` keyword's name), so both daemons can run side by side; it is used whether or not
 * the `nftables` keyword is given; no per-interface link-local sets (IPv6 link-local VIPs are
 * matched by address only).
 */
import { spawn } from 'node:child_process';

export const NO_ACCEPT_TABLE = 'stayalive_vrrp';

type Log = (level: 'info' | 'warning' | 'error', message: string) => void;

/** The nft script that (re)creates both tables, empty. Pure. */
export function tableScript(table = NO_ACCEPT_TABLE): string {
  const lines: string[] = [];
  for (const fam of ['ip', 'ip6'] as const) {
    const type = fam === 'ip' ? 'ipv4_addr' : 'ipv6_addr';
    // "add" then "delete" removes a stale table without failing when there is none.
    lines.push(`add table ${fam} ${table}`, `delete table ${fam} ${table}`);
    lines.push(`table ${fam} ${table} {`, `  set vips { type ${type}; }`);
    const chain = (name: string, hook: string, dir: string): string => {
      const match = `${fam} ${dir} @vips`;
      const nd =
        fam === 'ip6'
          ? `${match} icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept; `
          : '';
      return `  chain ${name} { type filter hook ${hook} priority filter - 1; policy accept; ${nd}${match} drop; }`;
    };
    lines.push(chain('in', 'input', 'daddr'), chain('out', 'output', 'saddr'), '}');
  }
  return lines.join('\n') + '\n';
}

/** `add`/`delete element` lines for `addrs`, split by family. Pure. */
export function elementScript(
  op: 'add' | 'delete',
  addrs: readonly string[],
  table = NO_ACCEPT_TABLE,
): string {
  const v4 = addrs.filter((a) => !a.includes(':'));
  const v6 = addrs.filter((a) => a.includes(':'));
  const out: string[] = [];
  if (v4.length) out.push(`${op} element ip ${table} vips { ${v4.join(', ')} }`);
  if (v6.length) out.push(`${op} element ip6 ${table} vips { ${v6.join(', ')} }`);
  return out.length ? out.join('\n') + '\n' : '';
}

function nft(script: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('nft', ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', (e) => resolve({ code: 127, stderr: e.message }));
    p.on('close', (code) => resolve({ code: code ?? 1, stderr }));
    p.stdin.on('error', () => undefined);
    p.stdin.end(script);
  });
}

class NoAcceptFilter {
  private users = 0;
  private chain: Promise<unknown> = Promise.resolve();

  private run(what: string, script: string, log: Log, quiet = false): Promise<void> {
    const next = this.chain.then(async () => {
      if (!script) return;
      const r = await nft(script);
      if (r.code !== 0 && !quiet) log('error', `no_accept: nft ${what} failed: ${r.stderr.trim()}`);
    });
    this.chain = next;
    return next;
  }

  acquire(log: Log): Promise<void> {
    if (this.users++ > 0) return this.chain.then(() => undefined);
    return this.run('create table', tableScript(), log);
  }

  release(log: Log): Promise<void> {
    if (this.users === 0 || --this.users > 0) return this.chain.then(() => undefined);
    return this.run(
      'delete table',
      `delete table ip ${NO_ACCEPT_TABLE}\ndelete table ip6 ${NO_ACCEPT_TABLE}\n`,
      log,
      true,
    );
  }

  add(addrs: readonly string[], log: Log): Promise<void> {
    return this.run('add VIPs', elementScript('add', addrs), log);
  }

  /** Elements that are not there are not an error (a VIP removed twice). */
  remove(addrs: readonly string[], log: Log): Promise<void> {
    const next = this.chain.then(async () => {
      const all = elementScript('delete', addrs);
      if (!all || (await nft(all)).code === 0) return;
      // One missing element fails the whole batch: retry one by one.
      for (const a of addrs) await nft(elementScript('delete', [a]));
    });
    this.chain = next;
    return next.catch(() => log('error', 'no_accept: nft remove VIPs failed'));
  }
}

/** The process's one filter. */
export const noAcceptFilter = new NoAcceptFilter();
