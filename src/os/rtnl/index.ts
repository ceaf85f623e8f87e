/**
 * rtnetlink for stayalive: links, addresses, routes and rules, and their change events, over the
 * addon's netlink socket with every message encoded and decoded in TypeScript. Never spawns `ip`.
 *
 *   const rtnl = Rtnl.open();
 *   await rtnl.addAddress({ ifindex, address: '192.0.2.100', prefixLength: 24, label: 'eth0:vip' });
 *   const mon = RtnlMonitor.open({ groups: ['address'] });
 *   mon.on('event', (e) => { if (e.type === 'address' && e.action === 'del') … });
 *
 * Kernel refusals are RtnlError: code 'EEXIST' / 'ESRCH' / 'EADDRNOTAVAIL' / 'ENOENT' / 'ENODEV'…,
 * errno (negative), and the message names the request ("add address 192.0.2.100/24 dev eth0: EEXIST").
 * Deleting a missing address gives EADDRNOTAVAIL, a missing route ESRCH, a missing rule ENOENT.
 */
export { Rtnl, type RtnlOptions, type WriteOptions } from './client.js';
export { RtnlMonitor, monitorGroups, type MonitorGroup, type MonitorOptions } from './monitor.js';
export { RtnlError } from './errors.js';
export { unackedAddAddress } from './unacked.js';
export { decodeEvent } from './event-codec.js';
export { RT_TABLE, RTPROT, RT_SCOPE } from './constants.js';
export { canonicalIp, formatIp, parseIp } from './ip.js';
export type * from './types.js';
