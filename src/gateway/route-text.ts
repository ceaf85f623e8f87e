/**
 * Routes in `ip route` words for logs and events ("default via 192.0.2.1 metric 10"). Pure.
 */
import type { RouteSpec } from '../os/rtnl/types.js';

export function describeRoute(s: RouteSpec): string {
  const parts = [s.prefixLength === 0 ? 'default' : `${s.dst}/${s.prefixLength}`];
  if (s.gateway) parts.push(`via ${s.gateway}`);
  for (const h of s.multipath ?? []) parts.push(`nexthop via ${h.gateway} weight ${h.weight ?? 1}`);
  if (s.table !== undefined && s.table !== 254) parts.push(`table ${s.table}`);
  if (s.metric) parts.push(`metric ${s.metric}`);
  if (s.src) parts.push(`src ${s.src}`);
  return parts.join(' ');
}
