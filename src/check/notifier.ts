/**
 * What the checkers tell the world about real servers and quorums, in keepalived's order
 * (check/ipwrapper.c do_rs_notifies / do_vs_notifies): the script (notify_up/down,
 * quorum_up/down, as its user), the notify FIFO line, then the bus event the mails follow.
 * I/O through the injected script runner and FIFO sink.
 */
import type { ScriptCommand, VirtualServer } from '../config/lvs/types.js';
import type { Config } from '../config/model.js';
import { ownUser } from '../config/script-user.js';
import { publish } from '../core/bus.js';
import type { LogLevel } from '../core/events.js';
import './events.js';
import { openCheckFifos, rsFifoLine, vsFifoLine, type FifoSink } from './fifo.js';
import type { RunOptions, RunOutcome } from '../os/run-script.js';
import type { RsPlan } from './plan.js';
import { ScriptUsers } from '../os/script-users.js';
import { fifoSettingsKey } from '../os/fifo.js';

export type RunNotify = (argv: string[], opts: RunOptions) => Promise<RunOutcome>;

/** keepalived gives a notify script 1 s when it runs at exit. */
const AT_EXIT_S = 1;

export class CheckNotifier {
  private fifo: FifoSink | null = null;
  private config: Config | null = null;
  private fifoKey: string | null = null;
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly run: RunNotify,
    private readonly timeoutS: number,
    private readonly log: (level: LogLevel, message: string) => void,
    /** A fixed FIFO sink (tests); undefined: the config's notify_fifo / lvs_notify_fifo. */
    private readonly fifoOpt?: FifoSink | null,
  ) {}

  /**
   * A new config: whose users scripts run as, and which FIFOs get the lines. The FIFOs (and
   * lvs_notify_fifo_script) are reopened only when their settings changed.
   */
  configure(config: Config): void {
    this.config = config;
    if (this.fifoOpt !== undefined) {
      this.fifo = this.fifoOpt;
      return;
    }
    const g = config.global;
    const key = fifoSettingsKey(
      [g.notifyFifo, g.lvsNotifyFifo],
      [g.lvsNotifyFifoScript],
      g.scriptUser,
    );
    if (key === this.fifoKey) return;
    this.fifoKey = key;
    this.fifo?.close();
    this.fifo = openCheckFifos(g);
  }

  /** A real server's verdict changed. */
  rsChange(rp: RsPlan, up: boolean): void {
    this.script(up ? rp.rs.notifyUp : rp.rs.notifyDown);
    this.fifo?.write(rsFifoLine(rp.rsId, rp.vsId, up));
  }

  /** A live real server leaves without a verdict: removed by a reload, or `omega` at shutdown. */
  rsGone(rp: RsPlan, why: 'shutdown' | 'removed'): void {
    this.script(rp.rs.notifyDown, why === 'shutdown' ? AT_EXIT_S : this.timeoutS);
    this.fifo?.write(rsFifoLine(rp.rsId, rp.vsId, false));
    publish('rs:gone', { vs: rp.vsId, rs: rp.rsId, why, smtpAlert: rp.rs.smtpAlert ?? true });
  }

  /**
   * The quorum moved from `was` to `up` (`init`: at start), with `weight` live; `stopping`:
   * the daemon stops an `omega` virtual server (its script gets 1 s, the mail says so).
   */
  quorum(
    vsId: string,
    vs: VirtualServer,
    q: { was: boolean; up: boolean; init: boolean; weight: number; stopping?: boolean },
  ): void {
    this.script(q.up ? vs.quorumUp : vs.quorumDown, q.stopping ? AT_EXIT_S : this.timeoutS);
    this.fifo?.write(vsFifoLine(vsId, q.up));
    publish('vs:quorum', {
      vs: vsId,
      up: q.up,
      init: q.init,
      stopping: q.stopping ?? false,
      quorum: vs.quorum,
      hysteresis: vs.hysteresis,
      // The threshold `was` is judged against (keepalived's update_quorum_state).
      threshold: vs.quorum + (q.was ? -vs.hysteresis : vs.hysteresis),
      weight: q.weight,
    });
  }

  /** Closes the FIFOs and waits for the scripts still running. */
  async close(): Promise<void> {
    this.fifo?.close();
    this.fifo = null;
    this.fifoKey = null;
    await Promise.allSettled([...this.running]);
  }

  /** Runs a notify or quorum script as its user (own, else script_user, else the default). */
  private script(s: ScriptCommand | null, timeoutS = this.timeoutS): void {
    if (!s?.argv.length || !this.config) return;
    const argv = s.argv;
    const as = ScriptUsers.of(this.config.global).userFor(ownUser(s));
    const p = this.run(argv, { timeoutS, user: as?.user ?? null, group: as?.group ?? null }).then(
      (o) => {
        if (o.error) this.log('warning', `notify script ${argv[0]} failed: ${o.error}`);
        else if (o.timedOut)
          this.log('warning', `notify script ${argv[0]} timed out after ${timeoutS} s`);
      },
    );
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }
}
