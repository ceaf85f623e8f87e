// stayalive native addon: send() and recv() for every socket kind. recv()
// decodes the source address and the ancillary data (pktinfo, TTL / hop
// limit) into a plain object; the payload is copied into a fresh Buffer.
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <string>

#include "socket.h"
#include "util.h"

namespace stayalive {

namespace {
// One read buffer per thread (addon calls run on the JS thread of their env).
constexpr size_t kRecvBuffer = 65536;
thread_local unsigned char recvData[kRecvBuffer];
}  // namespace

// The destination of one send from send()'s arguments at `first` (dest,
// ifindex, source):
//  raw: dest is an IP literal; ifindex/source go out as IP(V6)_PKTINFO.
//  packet: dest ignored (the frame goes out of the bound interface).
//  unix: dest is a path ('@' = abstract). netlink: always to the kernel.
void Socket::PrepareOut(const Napi::CallbackInfo& info, size_t first, OutMessage* out) const {
  Napi::Env env = info.Env();
  memset(&out->ss, 0, sizeof(out->ss));
  memset(out->control, 0, sizeof(out->control));
  out->sslen = 0;
  out->controllen = 0;
  if (kind_ == Kind::Raw) {
    out->dest = ArgString(info, first, "destination");
    int ifindex = ArgPresent(info, first + 1) ? ArgInt(info, first + 1, "ifindex") : 0;
    std::string source = ArgPresent(info, first + 2) ? ArgString(info, first + 2, "source") : "";
    out->sslen =
        ParseInetAddress(env, family_, out->dest, static_cast<uint32_t>(ifindex), 0, &out->ss);
    if (ifindex > 0 || !source.empty()) {
      sockaddr_storage src;
      if (!source.empty()) ParseInetAddress(env, family_, source, 0, 0, &src);
      cmsghdr* c = reinterpret_cast<cmsghdr*>(out->control);
      if (family_ == AF_INET) {
        out->controllen = CMSG_SPACE(sizeof(in_pktinfo));
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo pi;
        memset(&pi, 0, sizeof(pi));
        pi.ipi_ifindex = ifindex;
        if (!source.empty()) pi.ipi_spec_dst = reinterpret_cast<sockaddr_in*>(&src)->sin_addr;
        memcpy(CMSG_DATA(c), &pi, sizeof(pi));
      } else {
        out->controllen = CMSG_SPACE(sizeof(in6_pktinfo));
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
        in6_pktinfo pi;
        memset(&pi, 0, sizeof(pi));
        pi.ipi6_ifindex = static_cast<unsigned>(ifindex);
        if (!source.empty()) pi.ipi6_addr = reinterpret_cast<sockaddr_in6*>(&src)->sin6_addr;
        memcpy(CMSG_DATA(c), &pi, sizeof(pi));
      }
    }
  } else if (kind_ == Kind::Unix) {
    out->dest = ArgString(info, first, "path");
    out->sslen = ParseUnixAddress(env, out->dest, &out->ss);
  } else if (kind_ == Kind::Netlink) {
    reinterpret_cast<sockaddr_nl*>(&out->ss)->nl_family = AF_NETLINK;
    out->sslen = sizeof(sockaddr_nl);
  }
}

ssize_t SendOut(int fd, const OutMessage& out, const uint8_t* data, size_t len) {
  msghdr msg;
  memset(&msg, 0, sizeof(msg));
  iovec iov = {const_cast<uint8_t*>(data), len};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (out.sslen > 0) {
    msg.msg_name = const_cast<sockaddr_storage*>(&out.ss);
    msg.msg_namelen = out.sslen;
  }
  if (out.controllen > 0) {
    msg.msg_control = const_cast<unsigned char*>(out.control);
    msg.msg_controllen = out.controllen;
  }
  return sendmsg(fd, &msg, MSG_NOSIGNAL);
}

// send(data, dest?, ifindex?, source?) -> bytes sent (PrepareOut says what
// dest means for each kind).
Napi::Value Socket::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = CheckOpen(env);
  Napi::Buffer<uint8_t> data = ArgBuffer(info, 0, "data");
  OutMessage out;
  PrepareOut(info, 1, &out);
  ssize_t n = SendOut(fd, out, data.Data(), data.Length());
  if (n < 0) ThrowErrno(env, "sendmsg", errno, out.dest);
  return Napi::Number::New(env, static_cast<double>(n));
}

// recv() -> message object, or null when nothing is queued (EAGAIN).
Napi::Value Socket::Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = CheckOpen(env);
  sockaddr_storage from;
  memset(&from, 0, sizeof(from));
  alignas(cmsghdr) unsigned char control[512];
  iovec iov = {recvData, kRecvBuffer};
  msghdr msg;
  memset(&msg, 0, sizeof(msg));
  msg.msg_name = &from;
  msg.msg_namelen = sizeof(from);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return env.Null();
    ThrowErrno(env, "recvmsg", errno);
  }
  Napi::Object out = Napi::Object::New(env);
  size_t len = static_cast<size_t>(n) < kRecvBuffer ? static_cast<size_t>(n) : kRecvBuffer;
  out.Set("data", Napi::Buffer<uint8_t>::Copy(env, recvData, len));
  if ((msg.msg_flags & MSG_TRUNC) != 0) out.Set("truncated", Napi::Boolean::New(env, true));
  switch (from.ss_family) {
    case AF_INET: {
      auto* sin = reinterpret_cast<sockaddr_in*>(&from);
      out.Set("address", FormatInet(AF_INET, &sin->sin_addr));
      break;
    }
    case AF_INET6: {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&from);
      out.Set("address", FormatInet(AF_INET6, &sin6->sin6_addr));
      out.Set("scopeId", Napi::Number::New(env, sin6->sin6_scope_id));
      break;
    }
    case AF_PACKET: {
      auto* sll = reinterpret_cast<sockaddr_ll*>(&from);
      out.Set("address", FormatMac(sll->sll_addr, sll->sll_halen));
      out.Set("ifindex", Napi::Number::New(env, sll->sll_ifindex));
      out.Set("protocol", Napi::Number::New(env, ntohs(sll->sll_protocol)));
      out.Set("packetType", Napi::Number::New(env, sll->sll_pkttype));
      break;
    }
    case AF_UNIX: {
      auto* sun = reinterpret_cast<sockaddr_un*>(&from);
      size_t plen = msg.msg_namelen > offsetof(sockaddr_un, sun_path)
                        ? msg.msg_namelen - offsetof(sockaddr_un, sun_path)
                        : 0;
      std::string path;
      if (plen > 0 && sun->sun_path[0] == '\0') {
        path = "@" + std::string(sun->sun_path + 1, plen - 1);
      } else if (plen > 0) {
        path = std::string(sun->sun_path, strnlen(sun->sun_path, plen));
      }
      out.Set("address", path);
      break;
    }
    case AF_NETLINK: {
      auto* snl = reinterpret_cast<sockaddr_nl*>(&from);
      out.Set("address", std::to_string(snl->nl_pid));
      out.Set("groups", Napi::Number::New(env, snl->nl_groups));
      break;
    }
    default:
      out.Set("address", "");
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof(pi));
      out.Set("ifindex", Napi::Number::New(env, pi.ipi_ifindex));
      out.Set("destination", FormatInet(AF_INET, &pi.ipi_addr));
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
      int ttl;
      memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
      out.Set("ttl", Napi::Number::New(env, ttl));
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof(pi));
      out.Set("ifindex", Napi::Number::New(env, pi.ipi6_ifindex));
      out.Set("destination", FormatInet(AF_INET6, &pi.ipi6_addr));
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
      int hops;
      memcpy(&hops, CMSG_DATA(c), sizeof(hops));
      out.Set("ttl", Napi::Number::New(env, hops));
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      // The kernel stamps arrival on CLOCK_REALTIME; the daemon's timers run on
      // CLOCK_MONOTONIC (libuv's hrtime). Carry the packet's age over to the monotonic clock.
      timespec ts, real, mono;
      memcpy(&ts, CMSG_DATA(c), sizeof(ts));
      clock_gettime(CLOCK_REALTIME, &real);
      clock_gettime(CLOCK_MONOTONIC, &mono);
      double ageNs = (real.tv_sec - ts.tv_sec) * 1e9 + (real.tv_nsec - ts.tv_nsec);
      double monoNs = mono.tv_sec * 1e9 + mono.tv_nsec;
      out.Set("rxMonoUs", Napi::Number::New(env, (monoNs - ageNs) / 1e3));
    }
  }
  return out;
}

}  // namespace stayalive
