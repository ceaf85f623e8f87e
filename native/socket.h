// stayalive native addon: one socket object for raw IP, packet, unix
// datagram and netlink sockets. Readiness comes from a libuv uv_poll_t on the
// fd; the JS side drains with recv() until it returns null (EAGAIN).
#pragma once

#include <napi.h>
#include <uv.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <memory>
#include <string>

namespace stayalive {

enum class Kind { Raw, Packet, Unix, Netlink };

// Where one datagram goes and its ancillary data, ready for sendmsg().
struct OutMessage {
  sockaddr_storage ss;
  socklen_t sslen = 0;
  alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(in6_pktinfo))];
  size_t controllen = 0;
  std::string dest;
};

// sendmsg() of `data` as `out` says; -1 with errno on failure.
ssize_t SendOut(int fd, const OutMessage& out, const uint8_t* data, size_t len);

class Socket : public Napi::ObjectWrap<Socket> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Socket(const Napi::CallbackInfo& info);
  ~Socket() override;

  // The file descriptor, or -1 once closed.
  int fd() const { return fd_; }
  // Reads send()'s destination arguments, starting at `first`, into `out`.
  void PrepareOut(const Napi::CallbackInfo& info, size_t first, OutMessage* out) const;

 private:
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value SetOption(const Napi::CallbackInfo& info);
  Napi::Value BindToDevice(const Napi::CallbackInfo& info);
  Napi::Value BindAddress(const Napi::CallbackInfo& info);
  Napi::Value Membership(const Napi::CallbackInfo& info);
  Napi::Value DropAllInput(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value Recv(const Napi::CallbackInfo& info);
  Napi::Value StartPolling(const Napi::CallbackInfo& info);
  Napi::Value StopPolling(const Napi::CallbackInfo& info);
  Napi::Value KeepAlive(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  int CheckOpen(Napi::Env env) const;
  void StopPoll();
  static void OnReadable(uv_poll_t* handle, int status, int events);
  static void OnPollClosed(uv_handle_t* handle);

  int fd_ = -1;
  int family_ = 0;
  Kind kind_ = Kind::Raw;
  bool keepAlive_ = true;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference onReadable_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
};

}  // namespace stayalive
