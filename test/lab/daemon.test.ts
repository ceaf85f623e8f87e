// The daemon shell against the real OS: pid files, signals (HUP reload valid and invalid,
// USR1 dump, TERM stop), the control socket and stayalivectl, detaching without -n,
// systemd notify and syslog datagrams — run inside a lab host.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireRoot, waitFor, withLab, type Host, type Lab } from './lib/index.js';
import { stayaliveArgv, stayalivectlArgv } from './lib/stayalive.js';

const daemonArgv = stayaliveArgv();
const ctlArgv = stayalivectlArgv();

const CONF = (routerId: string, dumpFile: string): string => `
global_defs {
  router_id ${routerId}
  state_dump_file ${dumpFile}
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.0.2.100/24
  }
}
`;

async function setup(lab: Lab): Promise<{ h: Host; files: Record<string, string> }> {
  const sw = await lab.switch('lan');
  const h = await lab.host('d');
  await lab.link(h, sw, { ifname: 'eth0', addrs: ['192.0.2.1/24'] });
  const d = lab.dir;
  const files = {
    conf: join(d, 'keepalived.conf'),
    pid: join(d, 'stayalive.pid'),
    vrrpPid: join(d, 'vrrp.pid'),
    sock: join(d, 'control.sock'),
    dump: join(d, 'state.data'),
    log: join(d, 'daemon.log'),
  };
  writeFileSync(files.conf, CONF('first', files.dump));
  return { h, files };
}

async function ctl(h: Host, sock: string, cmd: string): Promise<Record<string, unknown>> {
  const r = await h.exec([...ctlArgv, '--socket', sock, '--json', cmd]);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test('foreground daemon: pid files, status, reload applied and rejected, dump, clean stop', async () => {
  requireRoot();
  await withLab('daemon', async (lab) => {
    const { h, files } = await setup(lab);
    const p = h.spawn(
      [
        ...daemonArgv,
        '-n',
        '-l',
        '-G',
        '-f',
        files.conf,
        '-p',
        files.pid,
        '-r',
        files.vrrpPid,
        '--control-socket',
        files.sock,
      ],
      { logTo: files.log },
    );
    await waitFor(() => existsSync(files.sock), { timeoutMs: 15000, what: 'control socket' });
    const pid = Number(readFileSync(files.pid, 'utf8'));
    assert.equal(Number(readFileSync(files.vrrpPid, 'utf8')), pid);

    const st = await ctl(h, files.sock, 'status');
    assert.equal(st.pid, pid);
    assert.equal(st.reloads, 0);

    // A valid change is applied on SIGHUP.
    writeFileSync(files.conf, CONF('second', files.dump));
    process.kill(pid, 'SIGHUP');
    await waitFor(async () => (await ctl(h, files.sock, 'status')).reloads === 1, {
      timeoutMs: 10000,
      what: 'first reload',
    });
    const cfg1 = (await ctl(h, files.sock, 'config')) as { global: { routerId: string } };
    assert.equal(cfg1.global.routerId, 'second');

    // A broken config (lost brace) is reported and the running one is kept.
    writeFileSync(files.conf, CONF('third', files.dump).replace('global_defs {', 'global_defs {{'));
    process.kill(pid, 'SIGHUP');
    const st2 = await waitFor(
      async () => {
        const s = await ctl(h, files.sock, 'status');
        return s.reloads === 2 ? s : undefined;
      },
      { timeoutMs: 10000, what: 'second reload' },
    );
    assert.equal((st2.lastReload as { outcome: string }).outcome, 'rejected');
    const cfg2 = (await ctl(h, files.sock, 'config')) as { global: { routerId: string } };
    assert.equal(cfg2.global.routerId, 'second');

    // SIGUSR1 writes the state dump (0600) where global_defs says.
    process.kill(pid, 'SIGUSR1');
    await waitFor(() => existsSync(files.dump), { timeoutMs: 5000, what: 'state dump' });
    const dump = JSON.parse(readFileSync(files.dump, 'utf8')) as { status: { pid: number } };
    assert.equal(dump.status.pid, pid);

    // SIGTERM: exits 0 and removes pid files and the socket.
    process.kill(pid, 'SIGTERM');
    const ex = await p.exited;
    assert.equal(ex.code, 0);
    assert.ok(!existsSync(files.pid), 'pid file removed');
    assert.ok(!existsSync(files.vrrpPid), 'vrrp pid file removed');
    assert.ok(!existsSync(files.sock), 'control socket removed');
    const log = readFileSync(files.log, 'utf8');
    assert.match(log, /Starting stayalive v/);
    assert.match(log, /Reload finished/);
    assert.match(log, /Reload rejected, keeping the running configuration/);
    assert.match(log, /Stopped stayalive/);
  });
});

test('SIGHUP waits and SIGTERM ends the start while startup_script runs; pid files go', async () => {
  requireRoot();
  await withLab('dstart', async (lab) => {
    const { h, files } = await setup(lab);
    // A script that would hold the start for 33 s; its child `sleep` marks the group.
    const script = join(lab.dir, 'start.sh');
    writeFileSync(script, '#!/bin/sh\nsleep 33\n', { mode: 0o755 });
    chmodSync(lab.dir, 0o755);
    writeFileSync(
      files.conf,
      CONF('first', files.dump).replace(
        'global_defs {',
        `global_defs {\n  enable_script_security\n  script_user root\n  startup_script ${script}\n  startup_script_timeout 60`,
      ),
    );
    const p = h.spawn(
      [...daemonArgv, '-n', '-l', '-G', '-f', files.conf, '-p', files.pid, '-r', files.vrrpPid],
      { logTo: files.log },
    );
    await waitFor(() => existsSync(files.pid), { timeoutMs: 15000, what: 'pid file' });
    await waitFor(() => readFileSync(files.log, 'utf8').includes('Running startup script'), {
      timeoutMs: 5000,
      what: 'startup script running',
    });
    // A SIGHUP now waits for the start (Node's default would kill the process).
    process.kill(Number(readFileSync(files.pid, 'utf8')), 'SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(p.running, 'SIGHUP during startup_script does not kill the daemon');
    const t0 = Date.now();
    process.kill(Number(readFileSync(files.pid, 'utf8')), 'SIGTERM');
    const ex = await p.exited;
    assert.equal(ex.code, 0);
    assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
    assert.ok(!existsSync(files.pid), 'pid file removed');
    const log = readFileSync(files.log, 'utf8');
    assert.match(log, /startup script .* ended by the stop/);
    assert.doesNotMatch(log, /\(VI_1\) Entering/, 'VRRP never started');
    const left = await h.exec(['sh', '-c', "ps -eo args | grep -x 'sleep 33' || true"]);
    assert.equal(left.stdout.trim(), '', 'the script and its child are gone');
  });
});

test('without -n the daemon detaches once ready; a second copy refuses to start', async () => {
  requireRoot();
  await withLab('detach', async (lab) => {
    const { h, files } = await setup(lab);
    const args = ['-G', '-f', files.conf, '-p', files.pid, '--control-socket', files.sock];
    const r = await h.exec([...daemonArgv, ...args], { timeoutMs: 20000 });
    assert.equal(r.code, 0);
    assert.ok(existsSync(files.sock), 'ready before the parent returned');
    const pid = Number(readFileSync(files.pid, 'utf8'));
    assert.ok(pid > 0);
    process.kill(pid, 0); // alive after its parent exited

    const again = await h.exec([...daemonArgv, '-n', '-l', ...args], {
      check: false,
      timeoutMs: 20000,
    });
    assert.notEqual(again.code, 0);
    assert.match(again.stdout + again.stderr, /already running \(pid \d+/);

    process.kill(pid, 'SIGTERM');
    await waitFor(() => !existsSync(files.pid), { timeoutMs: 10000, what: 'pid file removed' });
  });
});

test('unknown flags and -t on a missing file behave like keepalived', async () => {
  requireRoot();
  await withLab('flags', async (lab) => {
    const h = await lab.host('f');
    const bad = await h.exec([...daemonArgv, '-z'], { check: false });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Unknown option -z/);
    const missing = await h.exec([...daemonArgv, '-t', '-f', '/nonexistent.conf'], {
      check: false,
    });
    assert.equal(missing.code, 0);
    const missingE = await h.exec([...daemonArgv, '-t', '-e', '-f', '/nonexistent.conf'], {
      check: false,
    });
    assert.equal(missingE.code, 4);

    // --dump-config: the normalised model as JSON on stdout, diagnostics with positions on stderr.
    const conf = join(lab.dir, 'dump.conf');
    writeFileSync(conf, CONF('dumped', '/tmp/x') + 'bogus_top 1\n');
    const dump = await h.exec([...daemonArgv, '--dump-config', '-f', conf]);
    const model = JSON.parse(dump.stdout) as {
      global: { routerId: string };
      vrrp: { instances: Record<string, { virtualRouterId: number; priority: number }> };
    };
    assert.equal(model.global.routerId, 'dumped');
    assert.equal(model.vrrp.instances.VI_1.virtualRouterId, 51);
    assert.equal(model.vrrp.instances.VI_1.priority, 100);
    assert.match(dump.stderr, new RegExp(`${conf}:\\d+:1: warning: Unknown keyword 'bogus_top'`));
  });
});

test('systemd notify: READY, RELOADING, STOPPING in order; syslog gets RFC 3164 lines', async () => {
  requireRoot();
  const { UnixDgramSocket } = await import('../../src/os/native.js');
  await withLab('notify', async (lab) => {
    const { h, files } = await setup(lab);
    const notifyPath = join(lab.dir, 'notify.sock');
    const syslogPath = join(lab.dir, 'syslog.sock');
    const notes: string[] = [];
    const logs: string[] = [];
    const nsock = UnixDgramSocket.listen(notifyPath);
    const lsock = UnixDgramSocket.listen(syslogPath);
    nsock.on('message', (m) => notes.push(m.data.toString()));
    lsock.on('message', (m) => logs.push(m.data.toString()));
    try {
      const p = h.spawn([
        'env',
        `NOTIFY_SOCKET=${notifyPath}`,
        `STAYALIVE_SYSLOG_SOCKET=${syslogPath}`,
        ...daemonArgv,
        '-n',
        '-S',
        '2',
        '-f',
        files.conf,
        '-p',
        files.pid,
        '--control-socket',
        files.sock,
      ]);
      await waitFor(() => notes.some((n) => n.startsWith('READY=1')), {
        timeoutMs: 15000,
        what: 'READY=1',
      });
      const pid = Number(readFileSync(files.pid, 'utf8'));
      assert.match(notes[0], new RegExp(`MAINPID=${pid}`));
      process.kill(pid, 'SIGHUP');
      await waitFor(() => notes.length >= 3, { timeoutMs: 10000, what: 'reload notifications' });
      process.kill(pid, 'SIGTERM');
      await p.exited;
      await waitFor(() => notes.some((n) => n.startsWith('STOPPING=1')), {
        timeoutMs: 5000,
        what: 'STOPPING=1',
      });
      assert.deepEqual(
        notes.map((n) => n.split('\n')[0]),
        ['READY=1', 'RELOADING=1', 'READY=1', 'STOPPING=1'],
      );
      // local2 = facility 18; notice = 5 → <149>
      const start = logs.find((l) => l.includes('Starting stayalive'));
      assert.ok(start, `syslog saw the start line; got ${logs.length} lines`);
      assert.match(
        start,
        new RegExp(`^<149>\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d Stayalive\\[${pid}\\]: `),
      );
    } finally {
      nsock.close();
      lsock.close();
    }
  });
});
