/**
 * Host facts for the config checks, read from this host (network namespace
 * included): interface names from /sys/class/net, the short hostname.
 */
import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import type { HostFacts } from '../config/host-facts.js';

export function readHostFacts(): HostFacts {
  let interfaces: Set<string> | null = null;
  try {
    interfaces = new Set(readdirSync('/sys/class/net'));
  } catch {
    interfaces = null;
  }
  return { interfaces, hostname: hostname().split('.')[0] };
}
