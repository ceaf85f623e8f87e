/** One line per subsystem: counts by state where it has instances, else its JSON. */
function summary(sub: unknown): string {
  const list = (sub as { instances?: { state?: string }[] } | null)?.instances;
  if (!Array.isArray(list)) return JSON.stringify(sub);
  const by = new Map<string, number>();
  for (const i of list) by.set(i.state ?? '?', (by.get(i.state ?? '?') ?? 0) + 1);
  const parts = [...by].map(([st, n]) => `${n} ${st}`);
  return `${list.length} instance(s)${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** Human-readable `stayalivectl status`. Pure. */
export function formatStatus(s: Record<string, unknown>): string {
  const lines = [
    `stayalive v${String(s.version)}  pid ${String(s.pid)}  up ${String(s.uptimeSeconds)} s`,
    `configuration: ${String(s.configFile)}`,
    `reloads: ${String(s.reloads)}`,
  ];
  const last = s.lastReload as { at: string; outcome: string; reason?: string } | null;
  if (last) {
    lines.push(
      `last reload: ${last.outcome} at ${last.at}${last.reason ? ` (${last.reason})` : ''}`,
    );
  }
  const subs = (s.subsystems ?? {}) as Record<string, unknown>;
  const names = Object.keys(subs);
  lines.push(names.length ? `subsystems: ${names.join(', ')}` : 'subsystems: none running');
  for (const n of names) lines.push(`  ${n}: ${summary(subs[n])}`);
  return lines.join('\n') + '\n';
}

interface VrrpInstanceStatus {
  name: string;
  interface: string | null;
  vrid: number;
  version: number;
  state: string;
  basePriority: number;
  effectivePriority: number;
  masterAddress: string | null;
  advertInt: number;
  faults: string[];
  counters: Record<string, unknown>;
}

const pad = (rows: string[][]): string => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
};

/** `stayalivectl vrrp`: one line per instance, like keepalived's data dump condensed. */
export function formatVrrp(s: Record<string, unknown>): string {
  const subs = (s.subsystems ?? {}) as Record<string, { instances?: VrrpInstanceStatus[] }>;
  const list = subs.vrrp?.instances ?? [];
  if (!list.length) return 'no VRRP instances running\n';
  const rows = [
    ['INSTANCE', 'STATE', 'PRIO', 'VRID', 'IF', 'VER', 'ADV', 'MASTER', 'IN/OUT', 'FAULTS'],
  ];
  for (const i of list) {
    const c = i.counters as { advertsIn?: number; advertsOut?: number };
    rows.push([
      i.name,
      i.state,
      i.effectivePriority === i.basePriority
        ? String(i.basePriority)
        : `${i.effectivePriority}/${i.basePriority}`,
      String(i.vrid),
      i.interface ?? '-',
      `v${i.version}`,
      `${i.advertInt}s`,
      i.masterAddress ?? '-',
      `${c.advertsIn ?? 0}/${c.advertsOut ?? 0}`,
      i.faults.length ? i.faults.join(',') : '-',
    ]);
  }
  return pad(rows);
}
