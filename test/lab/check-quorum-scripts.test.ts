// quorum_up / quorum_down and omega's notify_down at shutdown, run by the checker runtime inside
// a lab host (test/lab/check-driver.ts) as real processes with real users: `script_user nobody`
// is the default, a script's own `user` word overrides it (keepalived's notify_script_init).
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Driver, DOWN_BOUND_MS, TIMING, UP_BOUND_MS, shScript } from './check-common.js';
import { requireRoot, waitFor, withLab } from './lib/index.js';

// MISC_CHECK has no connect_timeout.
const MISC_TIMING = TIMING.replace(/^.*connect_timeout.*\n/m, '');

test(
  'quorum scripts on quorum changes, omega notify_down at stop, as their users',
  {
    timeout: 60_000,
  },
  async () => {
    requireRoot();
    await withLab('cquorum', async (lab) => {
      const h = await lab.host('dir');
      const d = lab.dir;
      // Scripts run as nobody: the lab directory must be searchable, the output writable.
      chmodSync(d, 0o755);
      const out = join(d, 'out');
      writeFileSync(out, '');
      chmodSync(out, 0o666);
      writeFileSync(join(d, 'code'), '0\n');
      const check = shScript(d, 'check.sh', `exit $(cat ${d}/code)`);
      const note = shScript(d, 'note.sh', `echo "$1 $(id -u)" >> ${out}`);
      const lines = (): string[] => readFileSync(out, 'utf8').split('\n').filter(Boolean);
      // lvs_notify_fifo_script: started with the FIFO's path, as script_user; it records its uid
      // and then copies the FIFO's lines.
      const fifoOut = join(d, 'fifo-out');
      const readerUid = join(d, 'reader-uid');
      for (const f of [fifoOut, readerUid]) {
        writeFileSync(f, '');
        chmodSync(f, 0o666);
      }
      const reader = shScript(d, 'reader.sh', `id -u > ${readerUid}\nexec cat "$1" >> ${fifoOut}`);
      const fifoLines = (): string[] => readFileSync(fifoOut, 'utf8').split('\n').filter(Boolean);
      // Quorum 2 over weights 1 + 1: either server failing loses it.
      const conf = `
global_defs {
  script_user nobody
  lvs_notify_fifo ${d}/fifo nobody
  lvs_notify_fifo_script ${reader}
}
virtual_server 192.0.2.100 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  quorum 2
  omega
  quorum_up "${note} quorum_up"
  quorum_down "${note} quorum_down" root
  real_server 192.0.2.11 80 {
    notify_down "${note} down_11"
    MISC_CHECK {
${MISC_TIMING}
      misc_path "${check}"
    }
  }
  real_server 192.0.2.12 80 {
    notify_down "${note} down_12"
  }
}
`;
      const drv = await Driver.start(lab, h, conf);
      let stopped = false;
      try {
        await drv.waitEvent(
          0,
          (e) => e.ev === 'check:result' && !!e.rs?.includes('.11]') && e.ok === true,
          5000,
          'misc passes',
        );
        assert.deepEqual(lines(), [], 'starting with quorum: no quorum script');
        // The FIFO was made for its owner (nobody), so the script running as nobody can read it.
        await waitFor(() => readFileSync(readerUid, 'utf8') !== '', {
          timeoutMs: 3000,
          what: 'lvs_notify_fifo_script started',
        });
        assert.equal(readFileSync(readerUid, 'utf8').trim(), '65534');
        assert.equal(statSync(join(d, 'fifo')).uid, 65534);
        assert.equal(statSync(join(d, 'fifo')).mode & 0o777, 0o644);

        let m = drv.mark();
        writeFileSync(join(d, 'code'), '1\n');
        await drv.waitRs(m, '192.0.2.11', 80, false, DOWN_BOUND_MS);
        await waitFor(() => lines().length >= 2, { timeoutMs: 3000, what: 'down scripts ran' });
        // notify_down as script_user (nobody = 65534), quorum_down as its own user root.
        assert.deepEqual(lines().sort(), ['down_11 65534', 'quorum_down 0']);

        m = drv.mark();
        writeFileSync(join(d, 'code'), '0\n');
        await drv.waitRs(m, '192.0.2.11', 80, true, UP_BOUND_MS);
        await waitFor(() => lines().length >= 3, { timeoutMs: 3000, what: 'quorum_up ran' });
        assert.equal(lines()[2], 'quorum_up 65534');
        await waitFor(() => fifoLines().length >= 4, { timeoutMs: 3000, what: 'FIFO lines' });
        assert.deepEqual(fifoLines(), [
          'RS [192.0.2.11]:tcp:80 [192.0.2.100]:tcp:80 DOWN',
          'VS [192.0.2.100]:tcp:80 DOWN',
          'RS [192.0.2.11]:tcp:80 [192.0.2.100]:tcp:80 UP',
          'VS [192.0.2.100]:tcp:80 UP',
        ]);

        // omega: stopping notifies each live real server down, then the virtual server.
        assert.ok(await drv.stop(), `driver stopped cleanly: ${drv.proc.output().slice(-2000)}`);
        stopped = true;
        assert.deepEqual(lines().slice(3).sort(), [
          'down_11 65534',
          'down_12 65534',
          'quorum_down 0',
        ]);
        // The reader's `cat` is the script's own child: it ends when the FIFO's last writer does.
      } finally {
        if (!stopped) await drv.stop();
      }
    });
  },
);
