// Network lab for stayalive's lab tests: topologies of network namespaces on the real kernel,
// with real daemons and peers. Needs root and the Debian packages in scripts/lab-packages.txt.
//
//   import { requireRoot, withLab, waitFor } from './lib/index.js';
//
//   test('b takes over', async () => {
//     requireRoot();                                   // fails (not skips): "lab tests need root: …"
//     await withLab('vrrp', async (lab) => {           // teardown always runs
//       const sw = await lab.switch('lan');            // bridge br0 in its own namespace
//       const a = await lab.host('a');                 // namespace, lo up, IPv6 DAD off
//       const b = await lab.host('b');
//       const la = await lab.link(a, sw, { ifname: 'eth0', mac: '02:00:00:00:00:01',
//                                          addrs: ['192.0.2.1/24', '2001:db8:2::1/64'] });
//       await lab.link(b, sw, { ifname: 'eth0', addrs: ['192.0.2.2/24'] });
//       await lab.link(a, b, { ifname: 'ab0', addrs: ['198.51.100.1/30'] },   // host↔host veth
//                            { ifname: 'ba0', addrs: ['198.51.100.2/30'] });
//       const ka = a.spawn(['keepalived', '-n', '-l', '-f', conf], { logTo: `${lab.dir}/ka.log` });
//       await waitFor(async () => (await b.ip(['-o', 'addr'])).stdout.includes('192.0.2.100'),
//                     { timeoutMs: 5000, what: 'VIP on b' });
//       await a.exec(['ip', 'route', 'add', '203.0.113.0/24', 'via', '192.0.2.2']);
//     });
//   });
//
// Lab — `Lab.create(name)` first removes namespaces left by dead runs, then names everything
//   `sa-<pid>-<n>-<name>-<node>`. `lab.dir` is a temp directory for configs, logs and pcaps
//   (removed at teardown unless SA_LAB_KEEP=1).
//   host(name) / switch(name); link(host, switch|host, end, peerEnd?) → Link {a, b};
//   cutLink(link) sets the b end (switch port / second host's interface) down so the a end loses
//   carrier but keeps its addresses; restoreLink(link) undoes it and waits for carrier;
//   loss(host, ifname, percent, 'in'|'out'|'both') drops that share of frames with nftables
//   (netdev hook: ARP/ND/VRRP too; 100 = partition, 0 = remove);
//   teardown(): SIGKILLs every tracked process group and every pid in the lab's namespaces, waits
//   for them (≤ 5 s), deletes the namespaces; idempotent; throws if anything is left behind.
// Host — exec(argv, {check, timeoutMs, input}) → {code, stdout, stderr}, throws on non-zero
//   unless check: false (default timeout 10 s); sh(script) is the only shell; ip(args);
//   nft(ruleset); ping(addr, {count, intervalS, waitS}) → {transmitted, received};
//   setLink(ifname, 'up'|'down'); spawn(argv, {logTo}) → LabProcess; capture(ifname, filter) →
//   Capture (resolves when tcpdump listens; `await cap.stop()` returns the pcap path).
// LabProcess — pid, exited (resolves {code, signal}), running, output(), kill(sig) (whole
//   process group), stop(graceMs, sig) (sig, then SIGKILL).
// waitFor(cond, {timeoutMs, intervalMs, what}) polls until cond() is truthy and returns it;
//   withDeadline(promise, ms, what); sleep(ms); readPcap(path, filter) → tcpdump -n -r lines;
//   run(argv, opts) runs a command in the root namespace (for inspection only).
// Exit/SIGINT/SIGTERM/SIGHUP hooks tear down this process's labs synchronously; after a SIGKILL
// of the test process the next Lab.create() removes its namespaces.
//
// Addresses: only TEST-NET (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) and 2001:db8::/32.
// No namespace gets a default route or any link to the root namespace.
export { Capture, readPcap } from './capture.js';
export { listNamespaces, namespacePids, removeStale } from './cleanup.js';
export { Host, Lab, Switch, withLab } from './lab.js';
export type { EndOptions, Link, LinkEnd, PingResult } from './lab.js';
export { requireRoot } from './root.js';
export { LabProcess, run } from './run.js';
export type { ExitStatus, ProcessOptions, RunOptions, RunResult } from './run.js';
export { sleep, waitFor, withDeadline } from './wait.js';
export type { Truthy, WaitOptions } from './wait.js';
