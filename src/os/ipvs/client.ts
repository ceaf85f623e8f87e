/**
 * IpvsClient: programs IPVS through generic netlink (I/O, not pure). open() resolves the "IPVS"
 * family (IpvsUnavailableError when the kernel has none); each method sends one request built by
 * messages.ts and waits for its ack, or collects a dump. Kernel refusals are GenlError with the
 * errno and the ipvsadm-style object: "add service TCP 192.0.2.10:80: EEXIST".
 * Errors the kernel gives: NEW_SERVICE on an existing service EEXIST; SET/DEL of a missing
 * service ESRCH; an unknown scheduler or persistence engine ENOENT; NEW_DEST on an existing
 * dest EEXIST; SET/DEL of a missing dest ENOENT; every command without CAP_NET_ADMIN EPERM.
 * keepalived difference: no setsockopt fallback (kernels without IPVS over genl predate 2.6.28).
 */
import { GenlClient, type GenlOptions } from '../genl/client.js';
import { GenlError, GenlFamilyNotFoundError } from '../genl/errors.js';
import type { GenlBody, GenlFamily } from '../genl/messages.js';
import { IPVS_GENL_NAME } from './constants.js';
import { IpvsUnavailableError } from './errors.js';
import {
  decodeConfig,
  decodeDest,
  decodeInfo,
  decodeService,
  encodeDelDest,
  encodeDelService,
  encodeFlush,
  encodeGetConfig,
  encodeGetDests,
  encodeGetInfo,
  encodeGetService,
  encodeGetServices,
  encodeNewDest,
  encodeNewService,
  encodeSetConfig,
  encodeSetDest,
  encodeSetService,
  encodeZero,
  type IpvsRequest,
} from './messages.js';
import type {
  DestInfo,
  DestKey,
  DestSpec,
  IpvsInfo,
  ServiceInfo,
  ServiceKey,
  ServiceSpec,
  Timeouts,
} from './types.js';
import { describeService, familyOfAddress, hostPort } from './values.js';

export class IpvsClient {
  private readonly genl: GenlClient;
  readonly family: GenlFamily;

  private constructor(genl: GenlClient, family: GenlFamily) {
    this.genl = genl;
    this.family = family;
  }

  /** Opens a generic netlink socket and resolves IPVS; IpvsUnavailableError if there is none. */
  static async open(opts: GenlOptions = {}): Promise<IpvsClient> {
    const genl = GenlClient.open(opts);
    try {
      return new IpvsClient(genl, await genl.resolveFamily(IPVS_GENL_NAME));
    } catch (e) {
      genl.close();
      if (e instanceof GenlFamilyNotFoundError) throw new IpvsUnavailableError({ cause: e });
      throw e;
    }
  }

  close(): void {
    this.genl.close();
  }

  async addService(s: ServiceSpec): Promise<void> {
    await this.send(encodeNewService(s), `add service ${describeService(s)}`);
  }

  /** Changes scheduler, flags, persistence of an existing service (ESRCH if missing). */
  async updateService(s: ServiceSpec): Promise<void> {
    await this.send(encodeSetService(s), `update service ${describeService(s)}`);
  }

  async deleteService(k: ServiceKey): Promise<void> {
    await this.send(encodeDelService(k), `delete service ${describeService(k)}`);
  }

  async service(k: ServiceKey): Promise<ServiceInfo> {
    const what = `get service ${describeService(k)}`;
    return decodeService(one(await this.send(encodeGetService(k), what), what));
  }

  async services(): Promise<ServiceInfo[]> {
    const replies = await this.send(encodeGetServices(), 'list services');
    return replies.map((r) => decodeService(r));
  }

  async addDest(svc: ServiceKey, d: DestSpec): Promise<void> {
    await this.send(
      encodeNewDest(svc, d),
      `add dest ${describeDest(d)} to ${describeService(svc)}`,
    );
  }

  async updateDest(svc: ServiceKey, d: DestSpec): Promise<void> {
    await this.send(
      encodeSetDest(svc, d),
      `update dest ${describeDest(d)} of ${describeService(svc)}`,
    );
  }

  async deleteDest(svc: ServiceKey, d: DestKey): Promise<void> {
    await this.send(
      encodeDelDest(svc, d),
      `delete dest ${describeDest(d)} from ${describeService(svc)}`,
    );
  }

  /** The service's dests; empty when the service does not exist (the kernel does not say). */
  async dests(svc: ServiceKey): Promise<DestInfo[]> {
    const replies = await this.send(encodeGetDests(svc), `list dests of ${describeService(svc)}`);
    return replies.map((r) => decodeDest(r, svc.family));
  }

  /** Removes every service and dest in the namespace. */
  async flush(): Promise<void> {
    await this.send(encodeFlush(), 'flush');
  }

  async zero(svc?: ServiceKey): Promise<void> {
    await this.send(encodeZero(svc), svc ? `zero ${describeService(svc)}` : 'zero all');
  }

  async setTimeouts(t: Timeouts): Promise<void> {
    await this.send(encodeSetConfig(t), 'set timeouts');
  }

  async timeouts(): Promise<Required<Timeouts>> {
    return decodeConfig(one(await this.send(encodeGetConfig(), 'get timeouts'), 'get timeouts'));
  }

  async info(): Promise<IpvsInfo> {
    return decodeInfo(one(await this.send(encodeGetInfo(), 'get info'), 'get info'));
  }

  /** Sends one request; resolves with the family's reply bodies. */
  private async send(r: IpvsRequest, what: string): Promise<GenlBody[]> {
    const w = (): string => what;
    return r.dump ? this.genl.dump(this.family.id, r, w) : this.genl.request(this.family.id, r, w);
  }
}

/** The single reply of a doit request; ENODATA if the kernel acked without one. */
function one(replies: GenlBody[], what: string): GenlBody {
  if (replies.length === 0) throw new GenlError(what, 61, 'no reply before the ack');
  return replies[0];
}

function describeDest(d: DestKey): string {
  return hostPort(d.address, d.port, d.family ?? familyOfAddress(d.address));
}
