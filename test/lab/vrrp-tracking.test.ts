// Tracking on the real wire, two stayalive nodes (v3, 0.1 s adverts): a track_script weight
// lowers a's priority below b's so the VIP moves; a failing weight-0 script and a tracked
// interface going down put a in FAULT; a sync group's members fault and recover together.
// Needs root and `npm run build`.
import assert from 'node:assert/strict';
import {
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireRoot, waitFor, withLab, type Lab } from './lib/index.js';
import {
  MAC,
  hasAddr,
  startNode,
  trio,
  vrrpConf,
  waitAnswerFrom,
  waitNeighMac,
  waitSoleHolder,
} from './vrrp-common.js';

const VIP = '192.0.2.120';
const base = { vrid: 61, version: 3 as const, advertInt: 0.1, vips: [`${VIP}/24`] };

function script(
  lab: Lab,
  weight: number,
): { flag: string; outside: string; extra: string; global: string } {
  const flag = join(lab.dir, 'healthy');
  writeFileSync(flag, '');
  return {
    flag,
    outside: `vrrp_script chk {\n  script "/usr/bin/test -f ${flag}"\n  interval 1\n  fall 1\n  rise 1\n}`,
    extra: `  track_script {\n    chk weight ${weight}\n  }`,
    global: '  enable_script_security\n  script_user root\n',
  };
}

test('track_script weight lowers the priority below the peer: the VIP moves and comes back', async () => {
  requireRoot();
  await withLab('vt', async (lab) => {
    const { a, b, c } = await trio(lab);
    const s = script(lab, -60);
    startNode(
      lab,
      a,
      'stayalive',
      vrrpConf({ ...base, priority: 150, outside: s.outside, extra: s.extra, global: s.global }),
    );
    startNode(lab, b, 'stayalive', vrrpConf({ ...base, priority: 100 }));
    await waitSoleHolder([a, b], a, VIP, 8000);
    await waitAnswerFrom(c, VIP, MAC.a, 3000);
    rmSync(s.flag);
    // Script interval 1 s, then b's down timer (a now advertises 90 < 100).
    await waitNeighMac(c, VIP, MAC.b, performance.now(), 4000);
    await waitSoleHolder([a, b], b, VIP, 2000);
    writeFileSync(s.flag, '');
    await waitNeighMac(c, VIP, MAC.a, performance.now(), 4000);
    await waitSoleHolder([a, b], a, VIP, 2000);
  });
});

test('track_script weight 0 failing → FAULT; recovery → back to MASTER', async () => {
  requireRoot();
  await withLab('vt', async (lab) => {
    const { a, b, c } = await trio(lab);
    const s = script(lab, 0);
    const na = startNode(
      lab,
      a,
      'stayalive',
      vrrpConf({ ...base, priority: 150, outside: s.outside, extra: s.extra, global: s.global }),
    );
    startNode(lab, b, 'stayalive', vrrpConf({ ...base, priority: 100 }));
    await waitSoleHolder([a, b], a, VIP, 8000);
    await waitAnswerFrom(c, VIP, MAC.a, 3000);
    rmSync(s.flag);
    await waitNeighMac(c, VIP, MAC.b, performance.now(), 4000);
    await waitSoleHolder([a, b], b, VIP, 2000);
    await waitFor(() => readFileSync(na.log, 'utf8').includes('(VI_1) Entering FAULT STATE'), {
      timeoutMs: 2000,
      what: 'FAULT logged',
    });
    writeFileSync(s.flag, '');
    await waitSoleHolder([a, b], a, VIP, 4000);
  });
});

test('track_interface down → FAULT, the VIP moves; up → a preempts back', async () => {
  requireRoot();
  await withLab('vt', async (lab) => {
    const { a, b, c } = await trio(lab);
    await lab.link(
      a,
      c,
      { ifname: 'eth1', addrs: ['198.51.100.1/30'] },
      { ifname: 'ca1', addrs: ['198.51.100.2/30'] },
    );
    const extra = '  track_interface {\n    eth1\n  }';
    const na = startNode(lab, a, 'stayalive', vrrpConf({ ...base, priority: 150, extra }));
    startNode(lab, b, 'stayalive', vrrpConf({ ...base, priority: 100 }));
    await waitSoleHolder([a, b], a, VIP, 8000);
    await waitAnswerFrom(c, VIP, MAC.a, 3000);
    const t0 = performance.now();
    await a.setLink('eth1', 'down');
    const took = await waitNeighMac(c, VIP, MAC.b, t0, 3000);
    console.log(
      `track_interface down → b answers after ${took.toFixed(0)} ms (skew 122 ms after prio 0)`,
    );
    assert.match(readFileSync(na.log, 'utf8'), /\(VI_1\) Entering FAULT STATE/);
    assert.equal(await hasAddr(a, VIP), false, 'a in FAULT holds no VIP');
    await a.setLink('eth1', 'up');
    await waitSoleHolder([a, b], a, VIP, 4000);
  });
});

test('sync group: one member faults → all fault; they recover and return to MASTER together', async () => {
  requireRoot();
  await withLab('vt', async (lab) => {
    const { a, b } = await trio(lab);
    await lab.link(
      a,
      b,
      { ifname: 'eth1', addrs: ['198.51.100.1/30'] },
      { ifname: 'eth1', addrs: ['198.51.100.2/30'] },
    );
    const VIP2 = '192.0.2.121';
    const conf = (prio: number, track: boolean): string => `
global_defs {
  vrrp_garp_master_delay 1
}
vrrp_sync_group G {
  group {
    VI_1
    VI_2
  }
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 61
  priority ${prio}
  version 3
  advert_int 0.1
${track ? '  track_interface {\n    eth1\n  }' : ''}
  virtual_ipaddress {
    ${VIP}/24
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 62
  priority ${prio}
  version 3
  advert_int 0.1
  virtual_ipaddress {
    ${VIP2}/24
  }
}
`;
    const na = startNode(lab, a, 'stayalive', conf(150, true));
    startNode(lab, b, 'stayalive', conf(100, false));
    await waitSoleHolder([a, b], a, VIP, 8000);
    await waitSoleHolder([a, b], a, VIP2, 2000);
    await a.setLink('eth1', 'down');
    await waitSoleHolder([a, b], b, VIP, 3000);
    await waitSoleHolder([a, b], b, VIP2, 3000);
    const log = readFileSync(na.log, 'utf8');
    assert.match(log, /\(VI_1\) Entering FAULT STATE/);
    assert.match(log, /\(VI_2\) Entering FAULT STATE/);
    await a.setLink('eth1', 'up');
    await waitSoleHolder([a, b], a, VIP, 4000);
    await waitSoleHolder([a, b], a, VIP2, 2000);
  });
});

test('notify_master, notify (4 extra words) and vrrp_notify_fifo lines; STOP on SIGTERM', async () => {
  requireRoot();
  await withLab('vn', async (lab) => {
    const { a } = await trio(lab);
    const d = lab.dir;
    const sh = join(d, 'notify.sh');
    writeFileSync(sh, `#!/bin/sh\necho "$@" >> ${d}/notify.out\n`, { mode: 0o755 });
    const fifo = join(d, 'vrrp.fifo');
    const n = startNode(
      lab,
      a,
      'stayalive',
      vrrpConf({
        ...base,
        priority: 150,
        global: `  enable_script_security\n  script_user root\n  vrrp_notify_fifo ${fifo}\n`,
        extra: `  notify_master "/usr/bin/touch ${d}/master.flag"\n  notify ${sh}`,
      }),
    );
    // Hold the FIFO open for reading from the start, as a FIFO consumer would.
    await waitFor(() => existsSync(fifo), { timeoutMs: 5000, what: 'FIFO created' });
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    await waitSoleHolder([a], a, VIP, 8000);
    await waitFor(() => existsSync(join(d, 'master.flag')), {
      timeoutMs: 3000,
      what: 'notify_master ran',
    });
    await waitFor(
      () =>
        existsSync(join(d, 'notify.out')) &&
        readFileSync(join(d, 'notify.out'), 'utf8').includes('MASTER'),
      {
        timeoutMs: 3000,
        what: 'notify ran',
      },
    );
    n.proc.kill('SIGTERM');
    await n.proc.exited;
    await waitFor(() => readFileSync(join(d, 'notify.out'), 'utf8').includes('STOP'), {
      timeoutMs: 3000,
      what: 'STOP notify',
    });
    assert.deepEqual(readFileSync(join(d, 'notify.out'), 'utf8').trim().split('\n'), [
      'INSTANCE VI_1 BACKUP 150',
      'INSTANCE VI_1 MASTER 150',
      'INSTANCE VI_1 STOP 150',
    ]);
    const buf = Buffer.alloc(4096);
    const got = buf.subarray(0, readSync(fd, buf)).toString();
    closeSync(fd);
    assert.equal(
      got,
      'INSTANCE "VI_1" BACKUP 150\nINSTANCE "VI_1" MASTER 150\nINSTANCE "VI_1" STOP 150\n',
    );
  });
});
