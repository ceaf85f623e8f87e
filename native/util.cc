// stayalive native addon: Node-style errors, argument checks, address parsing.
#include "util.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include <cstdio>
#include <cstdlib>

namespace stayalive {

Napi::Error ErrnoError(Napi::Env env, const char* syscall, int err, const std::string& detail) {
  const char* name = strerrorname_np(err);
  std::string code = name != nullptr ? name : ("E" + std::to_string(err));
  std::string msg = std::string(syscall) + " " + code + ": " + strerror(err);
  if (!detail.empty()) msg += " (" + detail + ")";
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  e.Set("errno", Napi::Number::New(env, -err));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

void ThrowErrno(Napi::Env env, const char* syscall, int err, const std::string& detail) {
  throw ErrnoError(env, syscall, err, detail);
}

void ThrowType(Napi::Env env, const char* code, const std::string& msg) {
  Napi::TypeError e = Napi::TypeError::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  throw e;
}

bool ArgPresent(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && !info[i].IsUndefined() && !info[i].IsNull();
}

int32_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    ThrowType(info.Env(), "ERR_INVALID_ARG_TYPE", std::string(name) + " must be a number");
  }
  return info[i].As<Napi::Number>().Int32Value();
}

std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsString()) {
    ThrowType(info.Env(), "ERR_INVALID_ARG_TYPE", std::string(name) + " must be a string");
  }
  return info[i].As<Napi::String>().Utf8Value();
}

Napi::Buffer<uint8_t> ArgBuffer(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || !info[i].IsBuffer()) {
    ThrowType(info.Env(), "ERR_INVALID_ARG_TYPE", std::string(name) + " must be a Buffer");
  }
  return info[i].As<Napi::Buffer<uint8_t>>();
}

socklen_t ParseInetAddress(Napi::Env env, int family, const std::string& text, uint32_t scope,
                           uint16_t port, sockaddr_storage* out) {
  memset(out, 0, sizeof(*out));
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    if (inet_pton(AF_INET, text.c_str(), &sin->sin_addr) != 1) {
      ThrowType(env, "ERR_INVALID_IP_ADDRESS", "invalid IPv4 address: " + text);
    }
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  sin6->sin6_scope_id = scope;
  std::string host = text;
  size_t pct = text.find('%');
  if (pct != std::string::npos) {
    host = text.substr(0, pct);
    std::string zone = text.substr(pct + 1);
    char* end = nullptr;
    unsigned long n = strtoul(zone.c_str(), &end, 10);
    uint32_t idx = (!zone.empty() && *end == '\0') ? static_cast<uint32_t>(n)
                                                   : if_nametoindex(zone.c_str());
    if (idx == 0) ThrowErrno(env, "if_nametoindex", ENODEV, zone);
    sin6->sin6_scope_id = idx;
  }
  if (inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) != 1) {
    ThrowType(env, "ERR_INVALID_IP_ADDRESS", "invalid IPv6 address: " + text);
  }
  return sizeof(sockaddr_in6);
}

socklen_t ParseUnixAddress(Napi::Env env, const std::string& path, sockaddr_storage* out) {
  memset(out, 0, sizeof(*out));
  auto* sun = reinterpret_cast<sockaddr_un*>(out);
  sun->sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(sun->sun_path)) {
    ThrowType(env, "ERR_INVALID_ARG_VALUE", "unix socket path empty or too long: " + path);
  }
  memcpy(sun->sun_path, path.data(), path.size());
  // Abstract names: '@' becomes the leading NUL and the length is exact (no
  // trailing NUL), which is how systemd and sd_notify spell them.
  if (path[0] == '@') {
    sun->sun_path[0] = '\0';
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  }
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
}

std::string FormatInet(int family, const void* addr) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (inet_ntop(family, addr, buf, sizeof(buf)) == nullptr) return "";
  return buf;
}

std::string FormatMac(const unsigned char* mac, size_t len) {
  std::string out;
  char part[4];
  for (size_t i = 0; i < len; i++) {
    snprintf(part, sizeof(part), i == 0 ? "%02x" : ":%02x", mac[i]);
    out += part;
  }
  return out;
}

}  // namespace stayalive
