// Packet capture inside a lab host: tcpdump writing a pcap (-U: flushed per packet), started
// and stopped with deadlines. readPcap() decodes a file with `tcpdump -n -r` for assertions.
import type { Host } from './lab.js';
import type { LabProcess } from './run.js';
import { run } from './run.js';
import { waitFor, withDeadline } from './wait.js';

export class Capture {
  private constructor(
    readonly path: string,
    private readonly proc: LabProcess,
  ) {}

  /** Use host.capture(). Resolves once tcpdump reports that it is listening (≤ 5 s). */
  static async start(
    host: Host,
    ifname: string,
    filter: string | undefined,
    path: string,
  ): Promise<Capture> {
    // -Z root: tcpdump would otherwise drop to its own user before opening the output file.
    const argv = ['tcpdump', '-i', ifname, '-n', '-s', '0', '-U', '--immediate-mode'];
    argv.push('-Z', 'root', '-w', path, ...(filter ? [filter] : []));
    const proc = host.spawn(argv);
    try {
      await waitFor(
        () => {
          if (!proc.running) throw new Error(`tcpdump exited: ${proc.output().trim()}`);
          return proc.output().includes('listening on');
        },
        { timeoutMs: 5000, what: `tcpdump on ${host.name}/${ifname}` },
      );
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
    return new Capture(path, proc);
  }

  /** Stops tcpdump (SIGINT, SIGKILL after 3 s) and returns the pcap's path. */
  async stop(): Promise<string> {
    if (this.proc.running) {
      await withDeadline(this.proc.stop(3000, 'SIGINT'), 5000, `tcpdump ${this.path} to exit`);
    }
    return this.path;
  }
}

/** One line per packet, as `tcpdump -n -r FILE [filter]` prints them. */
export async function readPcap(path: string, filter?: string): Promise<string[]> {
  const r = await run(['tcpdump', '-n', '-r', path, ...(filter ? [filter] : [])]);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}
