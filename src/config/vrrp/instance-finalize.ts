/**
 * Defaults and consistency rules applied once an instance is read, in the
 * order of keepalived's chk_min_cfg and vrrp_complete_instance. Pure.
 *
 * keepalived difference: an instance without virtual_router_id (or without
 * an interface and no unicast) makes keepalived's whole VRRP process refuse
 * the config; stayalive marks just that instance `usable: false` and keeps
 * it out of the runtime, with the same diagnostic.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { GlobalDefs } from '../global/types.js';
import type { ParseCtx } from '../schema.js';
import type { AddressSpec, VrrpInstance } from './types.js';

/** An address as keepalived's ipaddresstos prints it: the prefix unless /32 or /128. */
function addressText(a: AddressSpec): string {
  return a.prefixLength === (a.family === 4 ? 32 : 128)
    ? a.address
    : `${a.address}/${a.prefixLength}`;
}

export function finalizeInstance(v: VrrpInstance, g: GlobalDefs, ctx: ParseCtx): void {
  const warn = (m: string): void => ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, m, v.pos);
  const unusable = (m: string): void => {
    ctx.diag.warn(ErrorCodes.CONFIG_INVALID_OBJECT, m, v.pos);
    v.usable = false;
    v.problems.push(m);
  };
  const unicast = v.unicastPeers.length > 0;

  // Unicast adverts cannot be received on a VMAC (a macvlan gets no frames sent to the base's
  // MAC), so they go through the base interface, as keepalived forces (vrrp_parser.c).
  if (v.unicastConfigured && v.useVmac) {
    if (!v.interface) {
      warn(`(${v.name}): Cannot use VMAC/ipvlan with unicast and no interface - clearing use_vmac`);
      v.useVmac = null;
    } else if (!v.vmacXmitBase) {
      warn(`(${v.name}) unicast with use_vmac requires vmac_xmit_base - setting`);
      v.vmacXmitBase = true;
    }
  }
  if (v.unicastTtl !== null && v.unicastPeers.length === 0) {
    warn(`(${v.name}): Cannot use unicast_ttl without unicast peers - resetting`);
    v.unicastTtl = null;
  }
  if (v.virtualRouterId === null) unusable(`(${v.name}) the virtual router id must be set`);
  // keepalived 2.2.7 checks for an interface before it marks the instance unicast, so a
  // unicast instance without `interface` is refused too (later releases accept it).
  else if (!v.interface) unusable(`(${v.name}) Unknown interface!`);

  v.strictMode = v.strictModeSet ?? g.vrrpStrict;
  if (v.family === 6) {
    if (v.versionSet === 2 && v.strictMode)
      warn(`(${v.name}) cannot use IPv6 with VRRP version 2; setting version 3`);
    v.version = 3;
  } else v.version = v.versionSet ?? g.vrrpVersion;

  if (v.virtualIpaddress.length === 0) {
    if (v.version === 3 || v.strictMode)
      unusable(`(${v.name}) No VIP specified; at least one is required`);
    else warn(`(${v.name}) No VIP specified; at least one is sensible`);
  }

  v.priority = v.prioritySet ?? (v.stateSet === 'MASTER' ? 255 : 100);
  if (v.stateSet === null) v.state = v.priority === 255 ? 'MASTER' : 'BACKUP';
  else if (v.strictMode && (v.stateSet === 'MASTER') !== (v.priority === 255)) {
    warn(`(${v.name}) State MASTER must match being address owner`);
    v.state = v.priority === 255 ? 'MASTER' : 'BACKUP';
  } else v.state = v.stateSet;

  if (v.authType !== null) {
    if (v.strictMode) {
      warn(`(${v.name}) Strict mode does not support authentication. Ignoring.`);
      v.authType = null;
    } else if (v.version === 3) {
      warn(`(${v.name}) VRRP version 3 does not support authentication. Ignoring.`);
      v.authType = null;
    } else if (!v.authPass) {
      warn(`(${v.name}) Authentication specified but no password given. Ignoring`);
      v.authType = null;
    } else if (v.family === 6 && v.authType === 'AH') {
      warn(`(${v.name}) Cannot use AH authentication with IPv6 - ignoring.`);
      v.authType = null;
    } else if (v.authType === 'AH' && v.state === 'MASTER' && v.priority !== 255) {
      warn(`(${v.name}) Initial state master is incompatible with AH authentication - clearing`);
      v.state = 'BACKUP';
    }
  }
  if (v.authType === null) v.authPass = null;

  // keepalived 2.2.7 tests "unicast in strict mode" before it sets the
  // unicast flag, so the check never fires; stayalive matches (no error).
  if (v.unicastConfigured && !unicast && !v.unicastFaultNoPeer) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_DEPRECATED,
      `(${v.name}) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.`,
      v.pos,
    );
  }
  if (v.strictMode && v.useVmac?.mac) {
    warn(`(${v.name}): cannot specify MAC address with strict mode - clearing`);
    v.useVmac.mac = null;
  }
  // `use_vmac 02:00:00:00:01` (five octets): the sixth is the VRID.
  if (v.useVmac?.mac && v.useVmac.mac.split(':').length === 5)
    v.useVmac.mac += `:${(v.virtualRouterId ?? 0).toString(16).padStart(2, '0')}`;
  if (v.promoteSecondaries && (v.useVmac || v.useIpvlan)) {
    warn(`(${v.name}) promote_secondaries is automatically set for vmacs - ignoring`);
    v.promoteSecondaries = false;
  }
  if (v.strictMode && v.useVmac && v.vmacXmitBase) {
    warn(`(${v.name}) xmit_base is incompatible with strict mode - resetting`);
    v.vmacXmitBase = false;
  }
  if (v.vmacXmitBase && !v.useVmac) {
    warn(`(${v.name}) vmac_xmit_base is only valid with a vmac`);
    v.vmacXmitBase = false;
  }
  // A VIP's own use_vmac: meaningless where the instance's VMAC carries it anyway, redundant
  // with use_vmac_addr (which then applies).
  for (const a of [...v.virtualIpaddress, ...v.virtualIpaddressExcluded]) {
    if (!a.useVmac) continue;
    const elsewhere = (a.dev !== null && a.dev !== v.interface) || a.family !== v.family;
    if (!elsewhere && v.useVmac) {
      warn(`(${v.name}) use_vmac specified for VIP/eVIP ${addressText(a)} and vrrp instance`);
      a.useVmac = false;
    } else if (elsewhere && v.useVmacAddr) {
      warn(
        `(${v.name}) use_vmac_addr specified and use_vmac specified for VIP/eVIP ${addressText(a)}`,
      );
      a.useVmac = false;
    }
  }
  const first = v.virtualIpaddress[0];
  // keepalived checks this for multicast only, and in strict mode reports it but still runs.
  if (v.family === 6 && !unicast && first && !/^fe[89ab]/i.test(first.address)) {
    if (v.strictMode) warn(`(${v.name}) the first IPv6 VIP address must be link local`);
    else
      ctx.diag.info(
        ErrorCodes.CONFIG_BAD_VALUE,
        `(${v.name}) the first IPv6 VIP address should be link local`,
        v.pos,
      );
  }

  if (v.priority === 255 && v.nopreempt) {
    warn(`(${v.name}) nopreempt is incompatible with priority 255. resetting nopreempt`);
    v.nopreempt = false;
  }
  if (v.state === 'MASTER') {
    if (v.nopreempt) {
      warn(`(${v.name}) Warning - nopreempt will not work with initial state MASTER - clearing`);
      v.nopreempt = false;
    }
    if (v.preemptDelay) {
      warn(
        `(${v.name}) Warning - preempt delay will not work with initial state MASTER - clearing`,
      );
      v.preemptDelay = 0;
    }
  }
  if (v.preemptDelay) {
    if (v.strictMode) {
      warn(`(${v.name}) preempt_delay is incompatible with strict mode - resetting`);
      v.preemptDelay = 0;
    }
    if (v.nopreempt) {
      warn(`(${v.name}) preempt_delay is incompatible with nopreempt mode - resetting`);
      v.preemptDelay = 0;
    }
  }
  if (v.downTimerAdverts !== 3 && v.strictMode) {
    warn(`(${v.name}) down_timer_adverts is incompatible with strict mode - resetting`);
    v.downTimerAdverts = 3;
  }

  v.accept = v.acceptSet ?? (v.priority === 255 ? true : !v.strictMode);
  if (v.accept && v.priority !== 255 && v.strictMode && v.version === 2) {
    warn(
      `(${v.name}) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting`,
    );
    v.accept = false;
  }
  if (v.mcastDstIp && unicast) {
    warn(`(${v.name}) multicast destination specified with unicast - ignoring`);
    v.mcastDstIp = null;
  }

  const lowerRep = g.vrrpGarpLowerPrioRepeat ?? g.vrrpGarpMasterRepeat;
  const lowerDelay = g.vrrpGarpLowerPrioDelay ?? g.vrrpGarpMasterDelay;
  if (v.garpLowerPrioRepeat === null) v.garpLowerPrioRepeat = v.strictMode ? 0 : lowerRep;
  else if (v.strictMode && v.garpLowerPrioRepeat) {
    warn(`(${v.name}) Strict mode requires no repeat garps. Resetting garp_lower_prio_repeat to 0`);
    v.garpLowerPrioRepeat = 0;
  }
  if (v.garpLowerPrioDelay === null) v.garpLowerPrioDelay = v.strictMode ? 0 : lowerDelay;
  else if (v.strictMode && v.garpLowerPrioDelay) {
    warn(
      `(${v.name}) Strict mode requires no repeat garp delay. Resetting garp_lower_prio_delay to 0`,
    );
    v.garpLowerPrioDelay = 0;
  }
  if (v.lowerPrioNoAdvert === null)
    v.lowerPrioNoAdvert = v.strictMode ? true : g.vrrpLowerPrioNoAdvert;
  else if (v.strictMode && !v.lowerPrioNoAdvert) {
    warn(`(${v.name}) Strict mode requires no lower priority advert. Resetting`);
    v.lowerPrioNoAdvert = true;
  }
  if (v.higherPrioSendAdvert === null)
    v.higherPrioSendAdvert = v.strictMode ? false : g.vrrpHigherPrioSendAdvert;
  else if (v.strictMode && v.higherPrioSendAdvert) {
    warn(`(${v.name}) strict mode requires higher_prio_send_advert to be clear - resetting`);
    v.higherPrioSendAdvert = false;
  }
  if (v.interface) {
    const own = v.track.interfaces.findIndex((t) => t.name === v.interface);
    if (own >= 0) {
      warn(`(${v.name}) Ignoring track_interface ${v.interface} since own interface`);
      v.track.interfaces.splice(own, 1);
    }
  }
  if (v.unicastTtl === null && v.family === 4 && unicast) v.unicastTtl = 255;

  // Advert interval: v2 whole seconds (max 255), v3 centiseconds (max 40.95).
  const cs = Math.round(v.advertInt * 100);
  if (v.version === 2) {
    if (v.advertInt >= 256) {
      warn(
        `(${v.name}) VRRPv2 advertisement interval ${v.advertInt.toFixed(2)}s is out of range. Must be less than 256. Setting to 255`,
      );
      v.advertInt = 255;
    } else if (!Number.isInteger(v.advertInt)) {
      warn(
        `(${v.name}) VRRPv2 advertisement interval ${v.advertInt.toFixed(6)}s must be an integer - rounding`,
      );
      v.advertInt = Math.max(1, Math.round(v.advertInt));
    }
  } else if (cs >= 4096) {
    warn(
      `(${v.name}) VRRPv3 advertisement interval ${v.advertInt.toFixed(2)}s is out of range. Must be less than 40.96 seconds. Setting to 40.95`,
    );
    v.advertInt = 40.95;
  } else if (Math.abs(v.advertInt * 100 - cs) > 1e-9) {
    warn(
      `(${v.name}) VRRPv3 advertisement interval ${v.advertInt.toFixed(6)}s must be in units of 10ms - rounding`,
    );
    v.advertInt = Math.max(1, cs) / 100;
  }
}
