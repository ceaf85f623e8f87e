// MISC_CHECK (misc_dynamic weights, misc_timeout kills the script and leaves no child behind),
// FILE_CHECK (tracked file value × weight; weight 0: non-zero is down) and notify_up /
// notify_down scripts, run by the checker runtime inside a lab host (test/lab/check-driver.ts).
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Driver, DOWN_BOUND_MS, TIMING, UP_BOUND_MS, shScript } from './check-common.js';

// MISC_CHECK has no connect_timeout.
const MISC_TIMING = TIMING.replace(/^.*connect_timeout.*\n/m, '');
import { requireRoot, waitFor, withLab } from './lib/index.js';

test(
  'MISC_CHECK dynamic weights and timeout, FILE_CHECK, notify scripts',
  { timeout: 90_000 },
  async () => {
    requireRoot();
    await withLab('cmisc', async (lab) => {
      const h = await lab.host('dir');
      const d = lab.dir;
      // keepalived's script checks run as the script user: the lab directory must be searchable.
      chmodSync(d, 0o755);
      writeFileSync(join(d, 'code'), '0\n');
      writeFileSync(join(d, 'tf'), '0\n');
      const check = shScript(d, 'check.sh', `exit $(cat ${d}/code)`);
      const slow = shScript(d, 'slow.sh', `sleep 30 # sa-misc-slow`);
      // No arguments: the config model keeps a quoted "path arg" as one word (reported).
      const notifyUp = shScript(d, 'notify-up.sh', `echo up >> ${d}/notified`);
      const notifyDown = shScript(d, 'notify-down.sh', `echo down >> ${d}/notified`);
      const conf = `
track_file tf {
  file ${d}/tf
  weight 2
}
virtual_server 192.0.2.100 80 {
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  real_server 192.0.2.11 80 {
    weight 5
    notify_up ${notifyUp}
    notify_down ${notifyDown}
    MISC_CHECK {
${MISC_TIMING}
      misc_path "${check}"
      misc_dynamic
    }
  }
  real_server 192.0.2.12 80 {
    MISC_CHECK {
${MISC_TIMING}
      misc_path "${slow}"
      misc_timeout 1
    }
  }
  real_server 192.0.2.13 80 {
    weight 5
    FILE_CHECK {
      track_file tf
    }
  }
  real_server 192.0.2.14 80 {
    FILE_CHECK {
      track_file tf
      weight 0
    }
  }
}
`;
      const drv = await Driver.start(lab, h, conf);
      try {
        const weightOf = (rs: string): number | undefined => drv.state(rs)?.weight;
        await drv.waitEvent(
          0,
          (e) => e.ev === 'check:result' && !!e.rs?.includes('.11]') && e.ok === true,
          5000,
          'misc passes',
        );
        assert.equal(weightOf('192.0.2.11'), 5);
        assert.equal(weightOf('192.0.2.13'), 5);
        assert.equal(drv.state('192.0.2.14')?.up, true);

        // misc_dynamic: exit 12 → weight 10, exit 2 → weight 0, exit 1 → down (notify_down), 0 → up.
        const waitWeight = (rs: string, w: number): Promise<unknown> =>
          waitFor(() => weightOf(rs) === w, { timeoutMs: UP_BOUND_MS, what: `${rs} weight ${w}` });
        writeFileSync(join(d, 'code'), '12\n');
        await waitWeight('192.0.2.11', 10);
        assert.ok(
          drv
            .logs()
            .includes(
              'Changing weight from 5 to 10 for active service [192.0.2.11]:tcp:80 of VS [192.0.2.100]:tcp:80',
            ),
        );
        writeFileSync(join(d, 'code'), '2\n');
        await waitWeight('192.0.2.11', 0);
        let m = drv.mark();
        writeFileSync(join(d, 'code'), '1\n');
        await drv.waitRs(m, '192.0.2.11', 80, false, DOWN_BOUND_MS);
        assert.equal(drv.state('192.0.2.11')?.reason, 'exit code 1');
        assert.equal(
          drv.state('192.0.2.11')?.weight,
          5,
          'a failed dynamic checker drops its weight',
        );
        m = drv.mark();
        writeFileSync(join(d, 'code'), '0\n');
        await drv.waitRs(m, '192.0.2.11', 80, true, UP_BOUND_MS);
        await waitFor(() => readFileSync(join(d, 'notified'), 'utf8') === 'down\nup\n', {
          timeoutMs: 3000,
          what: 'notify_down then notify_up ran',
        });

        // misc_timeout: the script is killed, the RS goes down, no `sleep` is left running.
        await drv.waitRs(0, '192.0.2.12', 80, false, DOWN_BOUND_MS + 2000);
        assert.equal(drv.state('192.0.2.12')?.reason, 'timeout after 1 s (killed)');

        // FILE_CHECK: value 3 × weight 2 added to weight 5; the weight-0 checker goes down.
        m = drv.mark();
        writeFileSync(join(d, 'tf'), '3\n');
        await waitWeight('192.0.2.13', 11);
        await drv.waitRs(m, '192.0.2.14', 80, false, 3000);
        writeFileSync(join(d, 'tf'), '0\n');
        await drv.waitRs(m, '192.0.2.14', 80, true, 3000);
        await waitWeight('192.0.2.13', 5);
      } finally {
        assert.ok(await drv.stop(), `driver stopped cleanly: ${drv.proc.output().slice(-2000)}`);
      }
      // The driver has exited: none of the scripts it started may still run. Whole lines only:
      // `ps` sees the whole machine, and a `sleep 300` elsewhere once matched "sleep 30".
      const left = await h.exec([
        'sh',
        '-c',
        'ps -eo args | grep -c -e "[s]a-misc-slow" -e "^[s]leep 30$" || true',
      ]);
      assert.equal(left.stdout.trim(), '0', 'no script left behind');
    });
  },
);
