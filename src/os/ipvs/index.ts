/**
 * IPVS over generic netlink: a pure codec (messages.ts), a client (client.ts) and detection
 * (detect.ts). Used where the kernel has IPVS; the nftables data plane is used otherwise.
 *
 *   const d = await detectIpvs();
 *   if (d.present) {
 *     const ipvs = await IpvsClient.open();
 *     const svc = { family: 4, protocol: 'TCP', address: '192.0.2.10', port: 80 } as const;
 *     await ipvs.addService({ ...svc, scheduler: 'wlc' });
 *     await ipvs.addDest(svc, { address: '10.0.0.2', port: 80, forward: 'NAT', weight: 1 });
 *   }
 */
export { IpvsClient } from './client.js';
export { detectIpvs, type IpvsDetection, type DetectOptions } from './detect.js';
export { IpvsUnavailableError } from './errors.js';
export * from './messages.js';
export { describeService } from './values.js';
export * from './constants.js';
export type * from './types.js';
