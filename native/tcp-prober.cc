// stayalive native addon: TcpProber. A probe is socket(SOCK_NONBLOCK) +
// connect(); the kernel reports completion as EPOLLOUT (or EPOLLERR) on the
// prober's epoll set. The socket is closed as soon as the connect resolves:
// with `rst` (SO_LINGER 0) the close sends a RST and leaves no TIME_WAIT
// behind, as HAProxy's checks do; without it a normal close (FIN), as
// keepalived's TCP_CHECK does. Latency is measured with uv_hrtime.
//
// exchange() is the HTTP_GET probe: the same connect, then the request is
// written and the response read until EOF (or until its Content-Length is in,
// or maxBytes), each wait bounded by the timeout; the bytes go to JS, which
// judges them (status, digest, regex). Readiness is always drained before a
// timeout is declared, so a busy event loop does not turn a reply that came in
// time into a timeout.
#include "tcp-prober.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "util.h"

namespace stayalive {

namespace {
constexpr int kEpollBatch = 256;
constexpr size_t kReadChunk = 65536;

// Content-Length of a response head (the bytes before the blank line), or -1.
int64_t ContentLength(const std::string& head) {
  static const char kName[] = "\r\ncontent-length:";
  const size_t n = sizeof(kName) - 1;
  for (size_t i = 0; i + n <= head.size(); i++) {
    size_t k = 0;
    while (k < n && tolower(static_cast<unsigned char>(head[i + k])) == kName[k]) k++;
    if (k < n) continue;
    size_t j = i + n;
    while (j < head.size() && (head[j] == ' ' || head[j] == '\t')) j++;
    if (j >= head.size() || !isdigit(static_cast<unsigned char>(head[j]))) return -1;
    int64_t v = 0;
    while (j < head.size() && isdigit(static_cast<unsigned char>(head[j])) && v < (1LL << 40)) {
      v = v * 10 + (head[j] - '0');
      j++;
    }
    return v;
  }
  return -1;
}

void CloseSocket(int fd, bool rst) {
  if (rst) {
    linger l = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  }
  ::close(fd);
}
}  // namespace

Napi::Function TcpProber::Define(Napi::Env env) {
  return DefineClass(env, "TcpProber",
                     {
                         InstanceMethod<&TcpProber::Connect>("connect"),
                         InstanceMethod<&TcpProber::Exchange>("exchange"),
                         InstanceMethod<&TcpProber::Cancel>("cancel"),
                         InstanceMethod<&TcpProber::Pending>("pending"),
                         InstanceMethod<&TcpProber::Close>("close"),
                     });
}

// new TcpProber(onResults): onResults(Float64Array of (id, errno, latencyUs)
// triples, exchanges) runs once per batch; errno 0 means connected.
// `exchanges` is undefined, or [Float64Array of (id, errno, latencyUs, phase)
// quads, Array of Buffers with each exchange's response bytes].
TcpProber::TcpProber(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TcpProber>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    ThrowType(env, "ERR_INVALID_ARG_TYPE", "onResults must be a function");
  }
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    ThrowErrno(env, "uv_poll_init", EINVAL, "no event loop");
  }
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) ThrowErrno(env, "epoll_create1", errno);
  poll_ = new uv_poll_t;
  int rc = uv_poll_init(loop, poll_, epfd_);
  if (rc < 0) {
    delete poll_;
    poll_ = nullptr;
    ::close(epfd_);
    epfd_ = -1;
    ThrowErrno(env, "uv_poll_init", -rc);
  }
  poll_->data = this;
  openHandles_++;
  timer_ = new uv_timer_t;
  uv_timer_init(loop, timer_);
  timer_->data = this;
  openHandles_++;
  // The poll never holds the loop open by itself: an in-flight connect always
  // has an armed deadline timer, which does.
  uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  uv_poll_start(poll_, UV_READABLE, OnEpoll);
  onResults_ = Napi::Persistent(info[0].As<Napi::Function>());
  asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "StayaliveTcpProber");
  // Held until close(): the libuv handles point at this object.
  Ref();
}

TcpProber::~TcpProber() {
  for (auto& kv : conns_) ::close(kv.second.fd);
  if (epfd_ >= 0) ::close(epfd_);
}

// connect(address, port, timeoutMs, source?, sourcePort?, rst?) -> id.
// Errors that happen before the connect is in flight (bad bind address,
// EMFILE, ENETUNREACH) are delivered as results too, never thrown; only bad
// arguments throw.
Napi::Value TcpProber::Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) ThrowErrno(env, "connect", EBADF, "prober closed");
  int timeoutMs = ArgInt(info, 2, "timeoutMs");
  Conn proto;
  proto.rst = info.Length() > 5 && info[5].ToBoolean().Value();
  bool failed = false;
  return Napi::Number::New(env, Start(info, std::move(proto), timeoutMs, &failed));
}

// exchange(address, port, timeoutMs, source?, sourcePort?, request, maxBytes)
// -> id. The connect as above, then `request` (a string) is written and the
// response read; timeoutMs bounds the connect, the write and each read.
Napi::Value TcpProber::Exchange(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) ThrowErrno(env, "exchange", EBADF, "prober closed");
  int timeoutMs = ArgInt(info, 2, "timeoutMs");
  Conn proto;
  proto.rst = true;
  proto.exchange = true;
  proto.out = ArgString(info, 5, "request");
  int maxBytes = ArgInt(info, 6, "maxBytes");
  if (maxBytes < 1) ThrowType(env, "ERR_OUT_OF_RANGE", "maxBytes must be positive");
  proto.maxBytes = static_cast<uint32_t>(maxBytes);
  proto.timeoutNs = static_cast<uint64_t>(timeoutMs < 1 ? 1 : timeoutMs) * 1000000ULL;
  bool failed = false;
  return Napi::Number::New(env, Start(info, std::move(proto), timeoutMs, &failed));
}

uint32_t TcpProber::Start(const Napi::CallbackInfo& info, Conn&& proto, int timeoutMs,
                          bool* failed) {
  Napi::Env env = info.Env();
  std::string address = ArgString(info, 0, "address");
  int port = ArgInt(info, 1, "port");
  if (port < 0 || port > 65535) ThrowType(env, "ERR_OUT_OF_RANGE", "port out of range");
  int family = address.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  sockaddr_storage dst;
  socklen_t dstLen = ParseInetAddress(env, family, address, 0, static_cast<uint16_t>(port), &dst);
  bool haveSource = ArgPresent(info, 3);
  int sourcePort = ArgPresent(info, 4) ? ArgInt(info, 4, "sourcePort") : 0;
  sockaddr_storage src;
  socklen_t srcLen = 0;
  if (haveSource || sourcePort > 0) {
    std::string source = haveSource ? ArgString(info, 3, "source")
                                    : (family == AF_INET6 ? "::" : "0.0.0.0");
    srcLen = ParseInetAddress(env, family, source, 0, static_cast<uint16_t>(sourcePort), &src);
  }

  uint32_t id = nextId_++;
  if (nextId_ == 0) nextId_ = 1;
  uint64_t now = uv_hrtime();
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  int err = fd < 0 ? errno : 0;
  if (err == 0 && srcLen > 0) {
    int one = 1;
    if (sourcePort > 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, reinterpret_cast<sockaddr*>(&src), srcLen) < 0) err = errno;
  }
  if (err == 0 && proto.exchange) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  if (err == 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&dst), dstLen) < 0 &&
      errno != EINPROGRESS) {
    err = errno;
  }
  if (err == 0) {
    epoll_event ev;
    ev.events = EPOLLOUT;
    ev.data.u64 = id;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) err = errno;
  }
  if (err != 0) {
    if (fd >= 0) ::close(fd);
    if (proto.exchange) {
      xresults_.insert(xresults_.end(),
                       {static_cast<double>(id), static_cast<double>(err), 0.0, 0.0});
      xdata_.emplace_back();
    } else {
      results_.insert(results_.end(), {static_cast<double>(id), static_cast<double>(err), 0.0});
    }
    *failed = true;
    // Delivered on the next loop turn, like any other result.
    uv_timer_start(timer_, OnTimer, 0, 0);
    return id;
  }
  uint64_t deadline = now + static_cast<uint64_t>(timeoutMs < 1 ? 1 : timeoutMs) * 1000000ULL;
  proto.fd = fd;
  proto.startNs = now;
  proto.deadlineNs = deadline;
  conns_.emplace(id, std::move(proto));
  bool earliest = deadlines_.empty() || deadline < deadlines_.top().first;
  deadlines_.emplace(deadline, id);
  if (earliest && results_.empty() && xresults_.empty()) Rearm();
  return id;
}

// cancel(id) -> true if it was in flight; its socket is closed, no result.
Napi::Value TcpProber::Cancel(const Napi::CallbackInfo& info) {
  uint32_t id = static_cast<uint32_t>(ArgInt(info, 0, "id"));
  auto it = conns_.find(id);
  if (it == conns_.end()) return Napi::Boolean::New(info.Env(), false);
  CloseSocket(it->second.fd, true);
  conns_.erase(it);
  return Napi::Boolean::New(info.Env(), true);
}

Napi::Value TcpProber::Pending(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(conns_.size()));
}

Napi::Value TcpProber::Close(const Napi::CallbackInfo& info) {
  CloseAll();
  return info.Env().Undefined();
}

void TcpProber::CloseAll() {
  if (closed_) return;
  closed_ = true;
  for (auto& kv : conns_) CloseSocket(kv.second.fd, true);
  conns_.clear();
  results_.clear();
  xresults_.clear();
  xdata_.clear();
  onResults_.Reset();
  uv_poll_stop(poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(poll_), OnHandleClosed);
  uv_timer_stop(timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(timer_), OnHandleClosed);
  poll_ = nullptr;
  timer_ = nullptr;
  ::close(epfd_);
  epfd_ = -1;
}

void TcpProber::OnHandleClosed(uv_handle_t* handle) {
  auto* self = static_cast<TcpProber*>(handle->data);
  if (handle->type == UV_POLL) {
    delete reinterpret_cast<uv_poll_t*>(handle);
  } else {
    delete reinterpret_cast<uv_timer_t*>(handle);
  }
  if (--self->openHandles_ == 0) {
    Napi::HandleScope scope(self->Env());
    self->Unref();
  }
}

void TcpProber::Finish(uint32_t id, Conn& c, int err, uint64_t nowNs) {
  CloseSocket(c.fd, c.rst || err != 0);
  double us = static_cast<double>((nowNs - c.startNs) / 1000);
  if (c.exchange) {
    xresults_.insert(xresults_.end(), {static_cast<double>(id), static_cast<double>(err), us,
                                       static_cast<double>(c.phase)});
    xdata_.push_back(std::move(c.in));
    return;
  }
  results_.insert(results_.end(), {static_cast<double>(id), static_cast<double>(err), us});
}

// A new wait of an exchange: its own timeout from now.
void TcpProber::Wait(uint32_t id, Conn& c, uint64_t nowNs) {
  c.deadlineNs = nowNs + c.timeoutNs;
  deadlines_.emplace(c.deadlineNs, id);
}

bool TcpProber::Advance(uint32_t id, Conn& c, uint32_t events, uint64_t nowNs) {
  int err = 0;
  if (c.phase == kConnecting) {
    socklen_t len = sizeof(err);
    if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err == 0 && (events & (EPOLLERR | EPOLLHUP)) != 0) err = ECONNRESET;
    if (err != 0) {
      Finish(id, c, err, nowNs);
      conns_.erase(id);
      return true;
    }
    c.phase = kWriting;
    Wait(id, c, nowNs);
  }
  if (c.phase == kWriting) {
    while (c.written < c.out.size()) {
      ssize_t n = send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
        if (errno == EINTR) continue;
        Finish(id, c, errno, nowNs);
        conns_.erase(id);
        return true;
      }
      c.written += static_cast<size_t>(n);
    }
    epoll_event ev;
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = id;
    epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.phase = kReading;
    Wait(id, c, nowNs);
    // The reply may be there already; read below.
  }
  char buf[kReadChunk];
  for (;;) {
    ssize_t n = recv(c.fd, buf, sizeof(buf), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      err = errno;
      break;
    }
    if (n == 0) {
      // EOF after the server's close: a plain close, nothing lingers here.
      c.rst = false;
      break;
    }
    size_t before = c.in.size();
    c.in.append(buf, static_cast<size_t>(n));
    Wait(id, c, nowNs);
    if (c.in.size() > c.maxBytes) {
      c.in.resize(c.maxBytes);
      err = EMSGSIZE;
      break;
    }
    if (c.headEnd == 0) {
      size_t from = before > 3 ? before - 3 : 0;
      size_t at = c.in.find("\r\n\r\n", from);
      if (at != std::string::npos) {
        c.headEnd = at + 4;
        c.contentLength = ContentLength(c.in.substr(0, at + 2));
      }
    }
    // A server that keeps the connection open: Content-Length ends the body.
    if (c.headEnd != 0 && c.contentLength >= 0 &&
        c.in.size() - c.headEnd >= static_cast<uint64_t>(c.contentLength)) {
      break;
    }
  }
  Finish(id, c, err, nowNs);
  conns_.erase(id);
  return true;
}

// Arms the timer for the earliest live deadline, or for now when results wait.
void TcpProber::Rearm() {
  if (closed_) return;
  if (!results_.empty() || !xresults_.empty()) {
    uv_timer_start(timer_, OnTimer, 0, 0);
    return;
  }
  while (!deadlines_.empty()) {
    auto it = conns_.find(deadlines_.top().second);
    if (it != conns_.end() && it->second.deadlineNs == deadlines_.top().first) break;
    deadlines_.pop();
  }
  if (deadlines_.empty()) {
    uv_timer_stop(timer_);
    return;
  }
  uint64_t now = uv_hrtime();
  uint64_t at = deadlines_.top().first;
  // Round up so the timer never fires before the deadline it serves.
  uint64_t ms = at > now ? (at - now + 999999) / 1000000 : 0;
  uv_timer_start(timer_, OnTimer, ms, 0);
}

// Collects every connect the kernel has resolved. Also run before timeouts are
// declared: libuv runs timers before polling, so a loop that fell behind would
// otherwise report a connect that completed in time as timed out.
void TcpProber::Drain(uint64_t nowNs) {
  epoll_event evs[kEpollBatch];
  for (;;) {
    int n = epoll_wait(epfd_, evs, kEpollBatch, 0);
    if (n <= 0) break;
    for (int i = 0; i < n; i++) {
      uint32_t id = static_cast<uint32_t>(evs[i].data.u64);
      auto it = conns_.find(id);
      if (it == conns_.end()) continue;
      if (it->second.exchange) {
        Advance(id, it->second, evs[i].events, nowNs);
        continue;
      }
      int err = 0;
      socklen_t len = sizeof(err);
      if (getsockopt(it->second.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
      // EPOLLOUT without a pending error is a completed handshake.
      if (err == 0 && (evs[i].events & (EPOLLERR | EPOLLHUP)) != 0) err = ECONNRESET;
      Finish(id, it->second, err, nowNs);
      conns_.erase(it);
    }
    if (n < kEpollBatch) break;
  }
}

void TcpProber::OnEpoll(uv_poll_t* handle, int status, int /*events*/) {
  auto* self = static_cast<TcpProber*>(handle->data);
  if (self->closed_) return;
  self->Drain(uv_hrtime());
  self->Flush();
}

void TcpProber::OnTimer(uv_timer_t* handle) {
  auto* self = static_cast<TcpProber*>(handle->data);
  if (self->closed_) return;
  uint64_t now = uv_hrtime();
  self->Drain(now);
  while (!self->deadlines_.empty() && self->deadlines_.top().first <= now) {
    Deadline d = self->deadlines_.top();
    self->deadlines_.pop();
    auto it = self->conns_.find(d.second);
    if (it == self->conns_.end() || it->second.deadlineNs != d.first) continue;
    self->Finish(d.second, it->second, ETIMEDOUT, now);
    self->conns_.erase(it);
  }
  self->Flush();
}

// One JS call for every result gathered since the last one.
void TcpProber::Flush() {
  if ((!results_.empty() || !xresults_.empty()) && !onResults_.IsEmpty()) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    size_t n = results_.size();
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, n * sizeof(double));
    if (n > 0) memcpy(buf.Data(), results_.data(), n * sizeof(double));
    results_.clear();
    Napi::Float64Array arr = Napi::Float64Array::New(env, n, buf, 0);
    Napi::Value exchanges = env.Undefined();
    if (!xresults_.empty()) {
      size_t xn = xresults_.size();
      Napi::ArrayBuffer xbuf = Napi::ArrayBuffer::New(env, xn * sizeof(double));
      memcpy(xbuf.Data(), xresults_.data(), xn * sizeof(double));
      xresults_.clear();
      Napi::Array data = Napi::Array::New(env, xdata_.size());
      for (size_t i = 0; i < xdata_.size(); i++) {
        data.Set(static_cast<uint32_t>(i),
                 Napi::Buffer<char>::Copy(env, xdata_[i].data(), xdata_[i].size()));
      }
      xdata_.clear();
      Napi::Array pair = Napi::Array::New(env, 2);
      pair.Set(0u, Napi::Float64Array::New(env, xn, xbuf, 0));
      pair.Set(1u, data);
      exchanges = pair;
    }
    try {
      onResults_.MakeCallback(Value(), {arr, exchanges}, *asyncContext_);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(env, e.Value());
    }
  }
  Rearm();
}

}  // namespace stayalive
