/**
 * `stayalivectl check`: the checker status (runtime.status()) as text, grouped by virtual
 * server. Per real server: state, weight (effective/configured), last change and number of
 * changes, and ha_suspend; per checker: state, last result (ok/FAIL, latency, time, reason),
 * probes, failures and retries in use. Pure.
 */
import type { CheckerStatus } from './status-types.js';

type RsStatus = CheckerStatus['realServers'][number];
type CheckStatus = RsStatus['checkers'][number];

function latency(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(3)} ms`;
}

function checkerLine(c: CheckStatus): string {
  const parts = [`${c.id} ${c.target}`, c.state.toUpperCase()];
  if (c.inFlight) parts.push('(probing)');
  if (c.last) {
    parts.push(
      `last ${c.last.ok ? 'ok' : 'FAIL'} ${latency(c.last.latencyMs)}` +
        (c.last.at ? ` at ${c.last.at}` : '') +
        ` "${c.last.reason}"`,
    );
  } else parts.push('no result yet');
  parts.push(`probes ${c.probes}`, `failures ${c.failures}`);
  if (c.retriesUsed > 0) parts.push(`retries used ${c.retriesUsed}`);
  const w = c.dynamicWeight;
  if (w) {
    const sign = w.kind === 'absolute' ? '=' : w.value >= 0 ? '+' : '';
    parts.push(`dynamic weight ${sign}${w.value}`);
  }
  return `    ${parts.join('  ')}`;
}

function rsLine(r: RsStatus): string {
  const parts = [`RS ${r.rs}`, r.state.toUpperCase(), `weight ${r.weight}/${r.configuredWeight}`];
  parts.push(
    r.lastChange ? `last change ${r.lastChange} (${r.changes} changes)` : 'no change since start',
  );
  if (r.suspended) parts.push('SUSPENDED (ha_suspend: VS address not on this host)');
  if (r.checkers.length === 0) parts.push('no checkers (always up)');
  return `  ${parts.join('  ')}`;
}

export function formatCheckStatus(status: CheckerStatus): string {
  const out: string[] = [];
  const byVs = new Map<string, RsStatus[]>();
  for (const r of status.realServers) {
    const list = byVs.get(r.vs) ?? [];
    list.push(r);
    byVs.set(r.vs, list);
  }
  for (const [vs, rss] of byVs) {
    const up = rss.filter((r) => r.state === 'up').length;
    out.push(`VS ${vs}  ${up}/${rss.length} real servers up`);
    for (const r of rss) {
      out.push(rsLine(r));
      for (const c of r.checkers) out.push(checkerLine(c));
    }
  }
  if (byVs.size === 0) out.push('no real servers are checked');
  if (status.skipped.length > 0) {
    out.push('skipped:');
    for (const s of status.skipped) out.push(`  ${s.what}: ${s.why}`);
  }
  return `${out.join('\n')}\n`;
}
