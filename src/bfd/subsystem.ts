/**
 * The BFD subsystem as the daemon sees it (core/subsystem.ts): one session per usable
 * `bfd_instance`, held through the shared registry so track_bfd, BFD_CHECK and gateway
 * tracking can watch the same sessions (`registry()`).
 *
 * Differences from keepalived: stayalive always sends TTL/hop limit 255 (keepalived's IPv6
 * default hop limit is 64, which BIRD and GTSM reject); `max_hops` maps to the lowest
 * accepted TTL (0 → 255 only, -1/255 → no check); no separate BFD process.
 */
import type { BfdInstance } from '../config/bfd/types.js';
import type { ConfigDiff } from '../config/diff.js';
import type { Config } from '../config/model.js';
import type { Subsystem } from '../core/subsystem.js';
import { BfdSessions, type BfdParams, type RegistryOptions } from './sessions.js';

const us = (seconds: number): number => Math.round(seconds * 1_000_000);

/** Session parameters from a bfd_instance (the model holds seconds). */
export function instanceParams(i: BfdInstance): BfdParams {
  const noCheck = i.maxHops < 0 || i.maxHops >= 255;
  return {
    name: i.name,
    source: i.sourceIp,
    desiredMinTx: us(i.minTx),
    requiredMinRx: us(i.minRx),
    idleTx: us(i.idleTx),
    detectMult: i.multiplier,
    passive: i.passive,
    minTtl: noCheck ? 0 : 255 - i.maxHops,
  };
}

const identity = (i: BfdInstance): string => `${i.neighborIp}|${i.sourceIp ?? ''}|${i.passive}`;

export interface BfdSubsystem extends Subsystem {
  /** The shared registry (null before start). */
  registry(): BfdSessions | null;
}

export function createBfdSubsystem(opts: RegistryOptions = {}): BfdSubsystem {
  let reg: BfdSessions | null = null;
  const held = new Map<string, { inst: BfdInstance; off: () => void }>();

  const add = (r: BfdSessions, inst: BfdInstance): void => {
    if (!inst.usable || inst.neighborIp === null) return;
    const off = r.watch(inst.neighborIp, { ...instanceParams(inst), owner: true }, () => undefined);
    held.set(inst.name, { inst, off });
  };

  const apply = (r: BfdSessions, config: Config): void => {
    const want = config.bfd.instances;
    for (const [name, h] of [...held]) {
      const next = want[name];
      if (next && next.usable && identity(next) === identity(h.inst)) {
        const p = instanceParams(next);
        r.update(next.neighborIp ?? '', next.sourceIp, p);
        held.set(name, { inst: next, off: h.off });
        continue;
      }
      h.off();
      held.delete(name);
    }
    for (const inst of Object.values(want)) if (!held.has(inst.name)) add(r, inst);
  };

  return {
    name: 'bfd',
    registry: () => reg,
    start(config: Config): Promise<void> {
      reg ??= new BfdSessions(opts);
      apply(reg, config);
      return Promise.resolve();
    },
    reload(config: Config, _diff: ConfigDiff): Promise<void> {
      reg ??= new BfdSessions(opts);
      apply(reg, config);
      return Promise.resolve();
    },
    stop(_reason: string): Promise<void> {
      for (const h of held.values()) h.off();
      held.clear();
      reg?.close();
      reg = null;
      return Promise.resolve();
    },
    status(): unknown {
      return { sessions: reg?.status() ?? [], unmatchedDrops: reg?.unmatched ?? {} };
    },
  };
}
