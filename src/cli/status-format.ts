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
  for (const n of names) lines.push(`  ${n}: ${JSON.stringify(subs[n])}`);
  return lines.join('\n') + '\n';
}
