// Shared by the checker lab tests: start the checker driver (test/lab/check-driver.ts) in a
// lab host and read its JSON event lines; wait for an event after a point in the stream.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/stayalive.js';
import { waitFor, type Host, type Lab, type LabProcess } from './lib/index.js';

export interface DriverEvent {
  ev: 'rs:state' | 'check:result' | 'log' | 'diag' | 'started' | 'stopped';
  t: number;
  vs?: string;
  rs?: string;
  up?: boolean;
  weight?: number;
  reason?: string;
  checker?: string;
  ok?: boolean;
  retrying?: boolean;
  message?: string;
  status?: unknown;
}

export class Driver {
  private constructor(readonly proc: LabProcess) {}

  static async start(lab: Lab, host: Host, conf: string): Promise<Driver> {
    const path = join(lab.dir, 'keepalived.conf');
    writeFileSync(path, conf);
    const proc = host.spawn(
      [process.execPath, '--import', 'tsx', join(repoRoot, 'test/lab/check-driver.ts'), path],
      { logTo: join(lab.dir, 'driver.log') },
    );
    const d = new Driver(proc);
    await waitFor(() => d.events().some((e) => e.ev === 'started'), {
      timeoutMs: 20_000,
      what: 'driver started',
    });
    return d;
  }

  events(): DriverEvent[] {
    return this.proc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as DriverEvent);
  }

  /** Driver time now (ms): the time of its last event, or of a marker at least this late. */
  mark(): number {
    return this.events().length;
  }

  /** The last rs:state of `rs` (a substring of the id such as ":81"), or undefined. */
  state(rs: string, vsPort?: number): DriverEvent | undefined {
    return this.events()
      .filter(
        (e) =>
          e.ev === 'rs:state' &&
          e.rs?.includes(rs) &&
          (vsPort === undefined || e.vs?.endsWith(`:${vsPort}`)),
      )
      .at(-1);
  }

  /** Waits for an event after event index `from` that satisfies `pred`. */
  async waitEvent(
    from: number,
    pred: (e: DriverEvent) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<DriverEvent> {
    return waitFor(() => this.events().slice(from).find(pred), { timeoutMs, intervalMs: 50, what });
  }

  /** Waits for `rs` (rs id substring, VS port) to reach `up`, after event index `from`. */
  waitRs(
    from: number,
    rs: string,
    vsPort: number,
    up: boolean,
    timeoutMs: number,
  ): Promise<DriverEvent> {
    return this.waitEvent(
      from,
      (e) =>
        e.ev === 'rs:state' &&
        !!e.rs?.includes(rs) &&
        !!e.vs?.endsWith(`:${vsPort}`) &&
        e.up === up,
      timeoutMs,
      `${rs} of VS :${vsPort} ${up ? 'up' : 'down'}`,
    );
  }

  logs(): string[] {
    return this.events()
      .filter((e) => e.ev === 'log')
      .map((e) => e.message ?? '');
  }

  async stop(): Promise<DriverEvent | undefined> {
    await this.proc.stop(5000);
    return this.events().find((e) => e.ev === 'stopped');
  }
}

/** Timers of the lab configs: small, so a test takes seconds. */
export const TIMING = `    delay_loop 1
    connect_timeout 1
    retry 1
    delay_before_retry 1
    warmup 0`;
/** (retry + 1) × (connect_timeout + delay_before_retry) + delay_loop, plus scheduling slack. */
export const DOWN_BOUND_MS = (2 * (1 + 1) + 1) * 1000 + 1500;
/** One delay_loop plus the probe and slack. */
export const UP_BOUND_MS = 1000 + 1000 + 1500;

/** Writes an executable `#!/bin/sh` script `name` into `dir`; returns its path. */
export function shScript(dir: string, name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}
