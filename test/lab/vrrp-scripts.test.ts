// Who VRRP scripts run as, and which ones may not run, against the real file system and users
// (keepalived's rules): script_user as the default, a script's own user, enable_script_security
// dropping scripts on a path that non-root users can write when they would run as root (and
// not when they run as nobody, unless set-uid root), a tracked insecure script that tracks nothing, and the
// notify_master_rx_lower_pri script. Needs root and `npm run build`.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireRoot, waitFor, withLab, type Lab } from './lib/index.js';
import { hasAddr, startNode, trio, vrrpConf } from './vrrp-common.js';

/** A root-only `bin/` in the lab dir (made searchable, as scripts run as other users). */
function binDir(lab: Lab): string {
  chmodSync(lab.dir, 0o755);
  const bin = join(lab.dir, 'bin');
  mkdirSync(bin, { mode: 0o755 });
  return bin;
}

/** A FIFO script in `bin` that copies the FIFO's lines to a file; `lines()` reads them back. */
function fifoReader(lab: Lab, bin: string): { reader: string; lines: () => string[] } {
  const out = join(lab.dir, 'fifo.txt');
  const reader = join(bin, 'reader.sh');
  writeFileSync(reader, `#!/bin/sh\nexec cat "$1" >> ${out}\n`, { mode: 0o755 });
  return {
    reader,
    lines: () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : []),
  };
}

test('scripts run as script_user / their own user; insecure root scripts are dropped; rx-lower-pri script runs', async () => {
  requireRoot();
  await withLab('vs', async (lab) => {
    const { a, b } = await trio(lab);
    // Scripts owned by root in root-only directories, outputs in a world-writable one, and an
    // insecure directory (world-writable, no sticky bit) holding the same script.
    const bin = binDir(lab);
    const out = join(lab.dir, 'out');
    const ww = join(lab.dir, 'ww');
    mkdirSync(out);
    chmodSync(out, 0o777);
    mkdirSync(ww);
    chmodSync(ww, 0o777);
    const who = `#!/bin/sh\nid -u > ${out}/"$1"\n`;
    for (const d of [bin, ww]) writeFileSync(join(d, 'who.sh'), who, { mode: 0o755 });
    writeFileSync(join(ww, 'fail.sh'), `#!/bin/sh\ntouch ${out}/fail\nexit 1\n`, { mode: 0o755 });
    // Set-uid root in the open directory: keepalived guards it even when nobody starts it.
    writeFileSync(join(ww, 'suid.sh'), `#!/bin/sh\ntouch ${out}/suid\n`, { mode: 0o755 });
    chmodSync(join(ww, 'suid.sh'), 0o4755);
    const uid = (name: string): string | null => {
      const p = join(out, name);
      const text = existsSync(p) ? readFileSync(p, 'utf8').trim() : '';
      return text === '' ? null : text; // the redirect creates the file before id writes
    };

    const outside = `vrrp_script chk {\n  script "${bin}/who.sh script"\n  interval 1\n}\nvrrp_script bad {\n  script ${ww}/fail.sh\n  interval 1\n  weight -60\n  user root\n}\nvrrp_script suid {\n  script ${ww}/suid.sh\n  interval 1\n  user nobody\n}\n`;
    const extra = [
      `  notify_master "${bin}/who.sh master"`,
      `  notify "${bin}/who.sh" root`,
      `  notify_backup "${ww}/who.sh backup_root" root`,
      `  notify_fault "${ww}/who.sh fault_nobody" nobody`,
      `  notify_master_rx_lower_pri "${bin}/who.sh rxlow"`,
      '  track_script {\n    chk\n    bad\n    suid\n  }',
    ].join('\n');
    const na = startNode(
      lab,
      a,
      'stayalive',
      vrrpConf({
        vrid: 70,
        priority: 150,
        version: 3,
        advertInt: 0.1,
        vips: ['192.0.2.170/24'],
        extra,
        outside,
        global: '  enable_script_security\n  script_user nobody\n',
      }),
    );
    await waitFor(() => hasAddr(a, '192.0.2.170'), { timeoutMs: 6000, what: 'a master' });
    await waitFor(
      () => uid('master') !== null && uid('INSTANCE') !== null && uid('script') !== null,
      {
        timeoutMs: 5000,
        what: 'notify and track scripts ran',
      },
    );
    assert.equal(uid('master'), '65534', 'notify_master without user: script_user nobody');
    assert.equal(uid('INSTANCE'), '0', '`notify … root`: root (with the four extra words)');
    assert.equal(uid('script'), '65534', 'vrrp_script without user: script_user nobody');

    // b hears nothing (all its input dropped), so it claims mastership at priority 100 and a,
    // as master, hears a lower priority.
    await lab.loss(b, 'eth0', 100, 'in');
    startNode(
      lab,
      b,
      'stayalive',
      vrrpConf({ vrid: 70, priority: 100, version: 3, advertInt: 0.1, vips: ['192.0.2.170/24'] }),
    );
    await waitFor(() => uid('rxlow') !== null, { timeoutMs: 5000, what: 'rx-lower-pri script' });
    assert.equal(uid('rxlow'), '65534');

    // A fault on a: its notify_fault (insecure path, but run as nobody) runs.
    await a.ip(['link', 'set', 'eth0', 'down']);
    await waitFor(() => uid('fault_nobody') !== null, { timeoutMs: 5000, what: 'notify_fault' });
    assert.equal(uid('fault_nobody'), '65534');
    await a.ip(['link', 'set', 'eth0', 'up']);
    await new Promise((r) => setTimeout(r, 1500));
    // Dropped: insecure and run as root (notify_backup), and the tracked insecure root script.
    assert.equal(uid('backup_root'), null, 'insecure root notify script never ran');
    assert.equal(existsSync(join(out, 'fail')), false, 'insecure root track script never ran');
    const log = readFileSync(na.log, 'utf8');
    assert.match(log, /Disabling track script bad due to insecure/);
    assert.equal(existsSync(join(out, 'suid')), false, 'set-uid root script never ran');
    assert.match(log, /Disabling track script suid due to insecure/);
    assert.match(log, /unsafe permissions found for script '.*\/ww\/who\.sh' - disabling/);
  });
});

test('reload deletes instances: DELETED with notify_deleted (and its script), else FAULT, as keepalived', async () => {
  requireRoot();
  const got: Record<string, string[]> = {};
  for (const kind of ['stayalive', 'keepalived'] as const) {
    await withLab('vd', async (lab) => {
      const { a } = await trio(lab);
      const bin = binDir(lab);
      const out = join(lab.dir, 'args.txt');
      writeFileSync(join(bin, 'args.sh'), `#!/bin/sh\necho "$@" >> ${out}\n`, { mode: 0o755 });
      const inst = (name: string, vrid: number, extra: string): string =>
        `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  priority 150\n  version 3\n  advert_int 0.1\n${extra}\n  virtual_ipaddress {\n    192.0.2.${vrid}/24\n  }\n}\n`;
      const head =
        'global_defs {\n  enable_script_security\n  script_user root\n  vrrp_garp_master_delay 1\n}\n';
      const keep = inst('KEEP', 180, '');
      const d1 = inst(
        'D1',
        181,
        `  notify ${bin}/args.sh\n  notify_deleted "${bin}/args.sh deleted-script"`,
      );
      const d2 = inst(
        'D2',
        182,
        `  notify ${bin}/args.sh\n  notify_fault "${bin}/args.sh fault-script"`,
      );
      const n = startNode(lab, a, kind, head + keep + d1 + d2);
      await waitFor(
        async () => (await hasAddr(a, '192.0.2.181')) && (await hasAddr(a, '192.0.2.182')),
        {
          timeoutMs: 8000,
          what: `${kind}: D1 and D2 master`,
        },
      );
      await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 2, {
        timeoutMs: 3000,
        what: 'MASTER notifies',
      });
      writeFileSync(out, '');
      writeFileSync(n.log.replace(/\.log$/, '.conf'), head + keep);
      n.proc.kill('SIGHUP');
      await waitFor(
        async () => !(await hasAddr(a, '192.0.2.181')) && !(await hasAddr(a, '192.0.2.182')),
        {
          timeoutMs: 8000,
          what: `${kind}: deleted instances gave up their VIPs`,
        },
      );
      await new Promise((r) => setTimeout(r, 500));
      got[kind] = readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).sort();
    });
  }
  console.log(`notifies on deletion: ${JSON.stringify(got)}`);
  assert.deepEqual(got.stayalive, [
    'INSTANCE D1 DELETED 150',
    'INSTANCE D2 FAULT 150',
    'deleted-script',
  ]);
  assert.deepEqual(got.stayalive, got.keepalived);
});

test('startup_script runs to its end before VRRP starts, shutdown_script after the VIP is gone (both daemons)', async () => {
  requireRoot();
  const got: Record<string, { start: string; stop: string; startLog: boolean }> = {};
  for (const kind of ['stayalive', 'keepalived'] as const) {
    await withLab('vss', async (lab) => {
      const { a } = await trio(lab);
      const bin = binDir(lab);
      // Each records how many copies of the VIP eth0 holds while it runs.
      const count = (file: string, pre = ''): string =>
        `#!/bin/sh\n${pre}ip -o addr show dev eth0 | grep -c '192.0.2.175/' > ${lab.dir}/${file}\n`;
      writeFileSync(join(bin, 'start.sh'), count('start', 'sleep 1\n'), { mode: 0o755 });
      writeFileSync(join(bin, 'stop.sh'), count('stop'), { mode: 0o755 });
      const n = startNode(
        lab,
        a,
        kind,
        vrrpConf({
          vrid: 75,
          priority: 150,
          version: 3,
          advertInt: 0.1,
          vips: ['192.0.2.175/24'],
          global: `  enable_script_security\n  script_user root\n  startup_script ${bin}/start.sh\n  shutdown_script ${bin}/stop.sh\n`,
        }),
      );
      await waitFor(() => hasAddr(a, '192.0.2.175'), { timeoutMs: 8000, what: `${kind} master` });
      const startLog = existsSync(join(lab.dir, 'start'));
      await n.proc.stop(8000, 'SIGTERM');
      await waitFor(() => existsSync(join(lab.dir, 'stop')), {
        timeoutMs: 3000,
        what: `${kind} shutdown script`,
      });
      const read = (f: string): string => readFileSync(join(lab.dir, f), 'utf8').trim();
      got[kind] = { start: read('start'), stop: read('stop'), startLog };
    });
  }
  console.log(`start/shutdown scripts: ${JSON.stringify(got)}`);
  // The startup script had ended (1 s of sleep) before the VIP came, and saw none; the
  // shutdown script ran once the VIP had gone.
  assert.deepEqual(got.stayalive, { start: '0', stop: '0', startLog: true });
  assert.deepEqual(got.stayalive, got.keepalived);
});

test('reload with fifo_write_vrrp_states_on_reload: the FIFO hears unchanged states again, no group STOP', async () => {
  requireRoot();
  const got: Record<string, string[]> = {};
  // stayalive only: keepalived 2.2.7 takes a reloaded master through BACKUP and back, at a
  // time that varies from run to run (vrrp.md, differences).
  for (const kind of ['stayalive'] as const) {
    for (const group of [false, true, null]) {
      await withLab('vfr', async (lab) => {
        const { a } = await trio(lab);
        const { reader, lines } = fifoReader(lab, binDir(lab));
        const fifo = join(lab.dir, 'vrrp.fifo');
        const conf =
          vrrpConf({
            vrid: 76,
            priority: 150,
            version: 3,
            advertInt: 0.1,
            vips: ['192.0.2.176/24'],
            global: `  enable_script_security\n  script_user root\n  vrrp_notify_fifo ${fifo}\n  vrrp_notify_fifo_script ${reader}\n${group === null ? '' : '  fifo_write_vrrp_states_on_reload\n'}`,
          }) + (group ? 'vrrp_sync_group G {\n  group {\n    VI_1\n  }\n}\n' : '');
        const n = startNode(lab, a, kind, conf);
        await waitFor(() => lines().some((l) => l.startsWith('INSTANCE "VI_1" MASTER')), {
          timeoutMs: 8000,
          what: `${kind}: master`,
        });
        await new Promise((r) => setTimeout(r, 500));
        const before = lines().length;
        n.proc.kill('SIGHUP');
        await new Promise((r) => setTimeout(r, 2000));
        got[`${kind}${group ? ' group' : group === null ? ' noflag' : ''}`] = lines().slice(before);
        assert.ok(await hasAddr(a, '192.0.2.176'), `${kind}: still master after the reload`);
      });
    }
  }
  console.log(`FIFO after reload: ${JSON.stringify(got)}`);
  // An unchanged instance (and sync group) keeps its state over a reload and notifies nothing;
  // with the flag the FIFO hears the current states again.
  assert.deepEqual(got['stayalive noflag'], []);
  assert.deepEqual(got.stayalive, ['INSTANCE "VI_1" MASTER 150']);
  assert.deepEqual(got['stayalive group'], ['GROUP "G" MASTER 0', 'INSTANCE "VI_1" MASTER 150']);
});

test('reload that changes an instance restarts it without a STOP notify', async () => {
  requireRoot();
  await withLab('vrs', async (lab) => {
    const { a } = await trio(lab);
    const { reader, lines } = fifoReader(lab, binDir(lab));
    const conf = (prio: number): string =>
      vrrpConf({
        vrid: 77,
        priority: prio,
        version: 3,
        advertInt: 0.1,
        vips: ['192.0.2.177/24'],
        global: `  enable_script_security\n  script_user root\n  vrrp_notify_fifo ${lab.dir}/vrrp.fifo\n  vrrp_notify_fifo_script ${reader}\n`,
      });
    const n = startNode(lab, a, 'stayalive', conf(150));
    await waitFor(() => lines().includes('INSTANCE "VI_1" MASTER 150'), {
      timeoutMs: 8000,
      what: 'master',
    });
    const before = lines().length;
    writeFileSync(n.log.replace(/\.log$/, '.conf'), conf(140));
    n.proc.kill('SIGHUP');
    await waitFor(() => lines().includes('INSTANCE "VI_1" MASTER 140'), {
      timeoutMs: 8000,
      what: 'master again at 140',
    });
    assert.deepEqual(lines().slice(before), [
      'INSTANCE "VI_1" BACKUP 140',
      'INSTANCE "VI_1" MASTER 140',
    ]);
  });
});
