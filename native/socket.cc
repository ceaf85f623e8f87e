// stayalive native addon: the socket object. Each method is one or two
// syscalls; everything protocol-specific (packets, netlink messages) is
// encoded and decoded in TypeScript.
#include "socket.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <string>

#include "util.h"

namespace stayalive {

namespace {

enum class Arg { Int, Mreqn };

struct Option {
  const char* name;
  Kind kind;
  int family;  // 0 = any family of that kind
  int level;
  int optname;
  Arg arg;
};

// Integer options by name, per socket kind and family. The same name maps to
// the IPv4 or IPv6 option so the TypeScript layer stays family-agnostic.
const Option kOptions[] = {
    {"ttl", Kind::Raw, AF_INET, IPPROTO_IP, IP_TTL, Arg::Int},
    {"ttl", Kind::Raw, AF_INET6, IPPROTO_IPV6, IPV6_UNICAST_HOPS, Arg::Int},
    {"multicastTtl", Kind::Raw, AF_INET, IPPROTO_IP, IP_MULTICAST_TTL, Arg::Int},
    {"multicastTtl", Kind::Raw, AF_INET6, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, Arg::Int},
    {"multicastLoop", Kind::Raw, AF_INET, IPPROTO_IP, IP_MULTICAST_LOOP, Arg::Int},
    {"multicastLoop", Kind::Raw, AF_INET6, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, Arg::Int},
    {"multicastAll", Kind::Raw, AF_INET, IPPROTO_IP, IP_MULTICAST_ALL, Arg::Int},
    {"multicastAll", Kind::Raw, AF_INET6, IPPROTO_IPV6, 29 /* IPV6_MULTICAST_ALL */, Arg::Int},
    {"multicastIf", Kind::Raw, AF_INET, IPPROTO_IP, IP_MULTICAST_IF, Arg::Mreqn},
    {"multicastIf", Kind::Raw, AF_INET6, IPPROTO_IPV6, IPV6_MULTICAST_IF, Arg::Int},
    {"recvPktInfo", Kind::Raw, AF_INET, IPPROTO_IP, IP_PKTINFO, Arg::Int},
    {"recvPktInfo", Kind::Raw, AF_INET6, IPPROTO_IPV6, IPV6_RECVPKTINFO, Arg::Int},
    {"recvTtl", Kind::Raw, AF_INET, IPPROTO_IP, IP_RECVTTL, Arg::Int},
    {"recvTtl", Kind::Raw, AF_INET6, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, Arg::Int},
    {"tos", Kind::Raw, AF_INET, IPPROTO_IP, IP_TOS, Arg::Int},
    {"tos", Kind::Raw, AF_INET6, IPPROTO_IPV6, IPV6_TCLASS, Arg::Int},
    {"hdrIncl", Kind::Raw, AF_INET, IPPROTO_IP, IP_HDRINCL, Arg::Int},
    {"checksum", Kind::Raw, AF_INET6, IPPROTO_IPV6, IPV6_CHECKSUM, Arg::Int},
    {"timestampNs", Kind::Raw, 0, SOL_SOCKET, SO_TIMESTAMPNS, Arg::Int},
    {"ignoreOutgoing", Kind::Packet, 0, SOL_PACKET, PACKET_IGNORE_OUTGOING, Arg::Int},
    {"addMembership", Kind::Netlink, 0, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, Arg::Int},
    {"dropMembership", Kind::Netlink, 0, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, Arg::Int},
    {"extAck", Kind::Netlink, 0, SOL_NETLINK, NETLINK_EXT_ACK, Arg::Int},
    {"getStrictChk", Kind::Netlink, 0, SOL_NETLINK, NETLINK_GET_STRICT_CHK, Arg::Int},
    {"noEnobufs", Kind::Netlink, 0, SOL_NETLINK, NETLINK_NO_ENOBUFS, Arg::Int},
};

const Option* FindOption(const std::string& name, Kind kind, int family) {
  for (const Option& o : kOptions) {
    if (name == o.name && o.kind == kind && (o.family == 0 || o.family == family)) return &o;
  }
  return nullptr;
}

}  // namespace

Napi::Function Socket::Define(Napi::Env env) {
  return DefineClass(env, "NativeSocket",
                     {
                         InstanceAccessor<&Socket::GetFd>("fd"),
                         InstanceMethod<&Socket::SetOption>("setOption"),
                         InstanceMethod<&Socket::BindToDevice>("bindToDevice"),
                         InstanceMethod<&Socket::BindAddress>("bindAddress"),
                         InstanceMethod<&Socket::Membership>("membership"),
                         InstanceMethod<&Socket::DropAllInput>("dropAllInput"),
                         InstanceMethod<&Socket::Send>("send"),
                         InstanceMethod<&Socket::Recv>("recv"),
                         InstanceMethod<&Socket::StartPolling>("startPolling"),
                         InstanceMethod<&Socket::StopPolling>("stopPolling"),
                         InstanceMethod<&Socket::KeepAlive>("keepAlive"),
                         InstanceMethod<&Socket::Close>("close"),
                     });
}

// new NativeSocket('raw', family(4|6), protocol)
// new NativeSocket('packet', ifindex, ethertype)   ethertype 0 = send only
// new NativeSocket('unix', bindPath | null)
// new NativeSocket('netlink', protocol, groups)
Socket::Socket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Socket>(info) {
  Napi::Env env = info.Env();
  std::string kind = ArgString(info, 0, "kind");
  const int flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  if (kind == "raw") {
    int fam = ArgInt(info, 1, "family");
    int proto = ArgInt(info, 2, "protocol");
    if (fam != 4 && fam != 6) ThrowType(env, "ERR_INVALID_ARG_VALUE", "family must be 4 or 6");
    kind_ = Kind::Raw;
    family_ = fam == 4 ? AF_INET : AF_INET6;
    fd_ = socket(family_, SOCK_RAW | flags, proto);
    if (fd_ < 0) ThrowErrno(env, "socket", errno, "raw protocol " + std::to_string(proto));
  } else if (kind == "packet") {
    int ifindex = ArgInt(info, 1, "ifindex");
    int ethertype = ArgInt(info, 2, "ethertype");
    kind_ = Kind::Packet;
    family_ = AF_PACKET;
    fd_ = socket(AF_PACKET, SOCK_RAW | flags, htons(static_cast<uint16_t>(ethertype)));
    if (fd_ < 0) ThrowErrno(env, "socket", errno, "AF_PACKET");
    sockaddr_ll sll;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(static_cast<uint16_t>(ethertype));
    sll.sll_ifindex = ifindex;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof(sll)) < 0) {
      int err = errno;
      ::close(fd_);
      fd_ = -1;
      ThrowErrno(env, "bind", err, "ifindex " + std::to_string(ifindex));
    }
  } else if (kind == "unix") {
    kind_ = Kind::Unix;
    family_ = AF_UNIX;
    fd_ = socket(AF_UNIX, SOCK_DGRAM | flags, 0);
    if (fd_ < 0) ThrowErrno(env, "socket", errno, "AF_UNIX");
    if (ArgPresent(info, 1)) {
      std::string path = ArgString(info, 1, "path");
      sockaddr_storage ss;
      socklen_t len = ParseUnixAddress(env, path, &ss);
      if (bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) < 0) {
        int err = errno;
        ::close(fd_);
        fd_ = -1;
        ThrowErrno(env, "bind", err, path);
      }
    }
  } else if (kind == "netlink") {
    int proto = ArgInt(info, 1, "protocol");
    int groups = ArgInt(info, 2, "groups");
    kind_ = Kind::Netlink;
    family_ = AF_NETLINK;
    fd_ = socket(AF_NETLINK, SOCK_RAW | flags, proto);
    if (fd_ < 0) ThrowErrno(env, "socket", errno, "AF_NETLINK");
    sockaddr_nl snl;
    memset(&snl, 0, sizeof(snl));
    snl.nl_family = AF_NETLINK;
    snl.nl_groups = static_cast<uint32_t>(groups);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&snl), sizeof(snl)) < 0) {
      int err = errno;
      ::close(fd_);
      fd_ = -1;
      ThrowErrno(env, "bind", err, "netlink");
    }
  } else {
    ThrowType(env, "ERR_INVALID_ARG_VALUE", "unknown socket kind: " + kind);
  }
}

Socket::~Socket() {
  // Only reached when not polling (polling holds a strong reference), or at
  // environment teardown; either way release the fd and any handle.
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), OnPollClosed);
    poll_ = nullptr;
  }
  int fd = fd_;
  fd_ = -1;
  if (fd >= 0) ::close(fd);
}

int Socket::CheckOpen(Napi::Env env) const {
  if (fd_ < 0) ThrowErrno(env, "check", EBADF, "socket is closed");
  return fd_;
}

Napi::Value Socket::GetFd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), fd_);
}

// setOption(name, value): integer socket options from kOptions, plus the
// buffer sizes that every kind has.
Napi::Value Socket::SetOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = CheckOpen(env);
  std::string name = ArgString(info, 0, "name");
  int value = ArgInt(info, 1, "value");
  int level = SOL_SOCKET;
  int optname = 0;
  Arg arg = Arg::Int;
  if (name == "rcvbuf") {
    optname = SO_RCVBUF;
  } else if (name == "sndbuf") {
    optname = SO_SNDBUF;
  } else {
    const Option* o = FindOption(name, kind_, family_);
    if (o == nullptr) {
      ThrowErrno(env, "setsockopt", ENOPROTOOPT, name + " not valid for this socket");
    }
    level = o->level;
    optname = o->optname;
    arg = o->arg;
  }
  int rc;
  if (arg == Arg::Mreqn) {
    ip_mreqn mreqn;
    memset(&mreqn, 0, sizeof(mreqn));
    mreqn.imr_ifindex = value;
    rc = setsockopt(fd, level, optname, &mreqn, sizeof(mreqn));
  } else {
    rc = setsockopt(fd, level, optname, &value, sizeof(value));
  }
  if (rc < 0) ThrowErrno(env, "setsockopt", errno, name + "=" + std::to_string(value));
  return env.Undefined();
}

// bindToDevice(name): SO_BINDTODEVICE; "" removes the binding.
Napi::Value Socket::BindToDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = CheckOpen(env);
  std::string dev = ArgString(info, 0, "device");
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev.c_str(),
                 static_cast<socklen_t>(dev.size())) < 0) {
    ThrowErrno(env, "setsockopt", errno, "SO_BINDTODEVICE " + dev);
  }
  return env.Undefined();
}

// bindAddress(address, scopeId?): source address of a raw socket.
Napi::Value Socket::BindAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = CheckOpen(env);
  if (kind_ != Kind::Raw) ThrowErrno(env, "bind", EOPNOTSUPP, "only raw sockets");
  std::string addr = ArgString(info, 0, "address");
  uint32_t scope = ArgPresent(info, 1) ? static_cast<uint32_t>(ArgInt(info, 1, "scopeId")) : 0;
  sockaddr_storage ss;
  socklen_t len = ParseInetAddress(env, family_, addr, scope, 0, &ss);
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) ThrowErrno(env, "bind", errno, addr);
  return env.Undefined();
}

// membership(join, group, ifindex): IP_ADD/DROP_MEMBERSHIP (ip_mreqn) or
// IPV6_ADD/DROP_MEMBERSHIP on one interface.
Napi::Value Socket::Membership(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = CheckOpen(env);
  if (kind_ != Kind::Raw) ThrowErrno(env, "setsockopt", EOPNOTSUPP, "only raw sockets");
  bool join = info.Length() > 0 && info[0].ToBoolean().Value();
  std::string group = ArgString(info, 1, "group");
  int ifindex = ArgInt(info, 2, "ifindex");
  sockaddr_storage ss;
  ParseInetAddress(env, family_, group, 0, 0, &ss);
  int rc;
  const char* what;
  if (family_ == AF_INET) {
    ip_mreqn mreqn;
    memset(&mreqn, 0, sizeof(mreqn));
    mreqn.imr_multiaddr = reinterpret_cast<sockaddr_in*>(&ss)->sin_addr;
    mreqn.imr_ifindex = ifindex;
    what = join ? "IP_ADD_MEMBERSHIP" : "IP_DROP_MEMBERSHIP";
    rc = setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &mreqn,
                    sizeof(mreqn));
  } else {
    ipv6_mreq mreq;
    memset(&mreq, 0, sizeof(mreq));
    mreq.ipv6mr_multiaddr = reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr;
    mreq.ipv6mr_interface = static_cast<unsigned>(ifindex);
    what = join ? "IPV6_ADD_MEMBERSHIP" : "IPV6_DROP_MEMBERSHIP";
    rc = setsockopt(fd, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &mreq,
                    sizeof(mreq));
  }
  if (rc < 0) {
    ThrowErrno(env, "setsockopt", errno,
               std::string(what) + " " + group + " ifindex " + std::to_string(ifindex));
  }
  return env.Undefined();
}

// dropAllInput(): attach a BPF filter that accepts nothing, for send-only
// sockets (keepalived does the same so they never queue received packets).
Napi::Value Socket::DropAllInput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = CheckOpen(env);
  sock_filter code[] = {{BPF_RET | BPF_K, 0, 0, 0}};
  sock_fprog prog = {1, code};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
    ThrowErrno(env, "setsockopt", errno, "SO_ATTACH_FILTER");
  }
  return env.Undefined();
}

}  // namespace stayalive
