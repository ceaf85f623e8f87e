// rtnetlink client vs spawning `ip`: time to add and delete 1,000 IPv4 addresses through
// src/os/rtnl (pipelined, the client's default window) against 50 `ip addr add` + 50
// `ip addr del` processes, per operation. Runs in a network namespace of its own (root):
// the outer process creates it, re-runs itself inside with `ip netns exec`, then deletes it.
// Writes bench/results/rtnl.json and prints a table.
//
// Usage: node --import tsx bench/rtnl.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Rtnl } from '../src/os/rtnl/index.js';

const N_CLIENT = 1000;
const N_IP = 50;

async function inner(): Promise<void> {
  execFileSync('ip', ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
  execFileSync('ip', ['link', 'set', 'eth0', 'up']);
  const rtnl = Rtnl.open();
  const ifindex = (await rtnl.link('eth0')).index;
  const addr = (i: number): string => `198.51.${100 + (i >> 8)}.${i & 0xff}`;
  const specs = Array.from({ length: N_CLIENT }, (_, i) => ({
    ifindex,
    address: addr(i),
    prefixLength: 32,
  }));
  const t0 = process.hrtime.bigint();
  await Promise.all(specs.map((s) => rtnl.addAddress(s)));
  const t1 = process.hrtime.bigint();
  const listed = (await rtnl.addresses(4)).filter((a) => a.ifindex === ifindex).length;
  const t2 = process.hrtime.bigint();
  await Promise.all(specs.map((s) => rtnl.deleteAddress(s)));
  const t3 = process.hrtime.bigint();
  rtnl.close();
  if (listed !== N_CLIENT) throw new Error(`expected ${N_CLIENT} addresses, saw ${listed}`);

  const t4 = process.hrtime.bigint();
  for (let i = 0; i < N_IP; i++)
    execFileSync('ip', ['addr', 'add', `${addr(i)}/32`, 'dev', 'eth0']);
  for (let i = 0; i < N_IP; i++)
    execFileSync('ip', ['addr', 'del', `${addr(i)}/32`, 'dev', 'eth0']);
  const t5 = process.hrtime.bigint();

  const us = (a: bigint, b: bigint, n: number): number => Number(b - a) / 1000 / n;
  const clientAddUs = us(t0, t1, N_CLIENT);
  const clientDelUs = us(t2, t3, N_CLIENT);
  const clientOpUs = (Number(t1 - t0) + Number(t3 - t2)) / 1000 / (2 * N_CLIENT);
  const ipOpUs = us(t4, t5, 2 * N_IP);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    client: {
      addresses: N_CLIENT,
      addUsPerOp: clientAddUs,
      delUsPerOp: clientDelUs,
      usPerOp: clientOpUs,
    },
    ipSpawn: { addresses: N_IP, usPerOp: ipOpUs },
    ratio: ipOpUs / clientOpUs,
  };
  console.log(JSON.stringify(result));
}

function outer(): void {
  const ns = `sa-bench-rtnl-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        'inner',
      ],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    if (r.status !== 0) throw new Error(`bench failed: ${r.stderr}`);
    const result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}rtnl.json`, JSON.stringify(result, null, 2) + '\n');
    console.table({
      'rtnl client (add)': {
        ops: result.client.addresses,
        'µs/op': result.client.addUsPerOp.toFixed(1),
      },
      'rtnl client (del)': {
        ops: result.client.addresses,
        'µs/op': result.client.delUsPerOp.toFixed(1),
      },
      'spawn ip addr add/del': {
        ops: 2 * result.ipSpawn.addresses,
        'µs/op': result.ipSpawn.usPerOp.toFixed(1),
      },
    });
    console.log(`ip spawn / client per operation: ${result.ratio.toFixed(0)}×`);
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

if (process.argv[2] === 'inner') await inner();
else outer();
