// stayalive native addon: error and address helpers shared by the socket code.
// Errors follow Node's system-error shape: message "<syscall> <CODE> ...",
// .code ('EPERM'), .errno (negative, as in libuv/Node), .syscall.
#pragma once

#include <napi.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string>

namespace stayalive {

// Throws a Node-style system error for errno value `err` (positive).
[[noreturn]] void ThrowErrno(Napi::Env env, const char* syscall, int err,
                             const std::string& detail = "");

// Builds (without throwing) the same error object, for callbacks.
Napi::Error ErrnoError(Napi::Env env, const char* syscall, int err,
                       const std::string& detail = "");

// Throws TypeError with .code (e.g. ERR_INVALID_ARG_TYPE).
[[noreturn]] void ThrowType(Napi::Env env, const char* code, const std::string& msg);

// Argument readers that throw a TypeError instead of crashing on bad input.
int32_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* name);
std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* name);
Napi::Buffer<uint8_t> ArgBuffer(const Napi::CallbackInfo& info, size_t i, const char* name);
bool ArgPresent(const Napi::CallbackInfo& info, size_t i);

// Parses an IPv4/IPv6 literal into `out` for `family`. IPv6 may carry
// "%zone" (interface name or number); the zone wins over `scope` when given.
// Throws TypeError code ERR_INVALID_IP_ADDRESS on a bad literal.
socklen_t ParseInetAddress(Napi::Env env, int family, const std::string& text,
                           uint32_t scope, uint16_t port, sockaddr_storage* out);

// Unix socket address; a leading '@' selects the abstract namespace.
socklen_t ParseUnixAddress(Napi::Env env, const std::string& path, sockaddr_storage* out);

std::string FormatInet(int family, const void* addr);
std::string FormatMac(const unsigned char* mac, size_t len);

}  // namespace stayalive
