// stayalive native addon: TcpProber, batched non-blocking TCP connects for
// health checks. One epoll set per prober (watched by one uv_poll_t), one
// uv_timer_t for the earliest connect deadline; results reach JS in batches,
// one callback per readiness or timer event. An exchange (HTTP_GET) is a probe
// that also writes a request and reads the response to EOF.
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace stayalive {

class TcpProber : public Napi::ObjectWrap<TcpProber> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit TcpProber(const Napi::CallbackInfo& info);
  ~TcpProber() override;

 private:
  // Exchange phases; a plain connect only ever is kConnecting.
  enum Phase : uint8_t { kConnecting = 0, kWriting = 1, kReading = 2 };
  struct Conn {
    int fd = -1;
    uint64_t startNs = 0;
    uint64_t deadlineNs = 0;
    bool rst = false;
    bool exchange = false;
    Phase phase = kConnecting;
    // Exchange only: each wait (connect, write, every read) gets timeoutNs.
    uint64_t timeoutNs = 0;
    uint32_t maxBytes = 0;
    size_t written = 0;
    // Where the response head ends (0: not yet) and its Content-Length (-1: none).
    size_t headEnd = 0;
    int64_t contentLength = -1;
    std::string out;
    std::string in;
  };
  // (deadline, id); entries of finished connects are skipped when popped.
  using Deadline = std::pair<uint64_t, uint32_t>;

  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value Exchange(const Napi::CallbackInfo& info);
  uint32_t Start(const Napi::CallbackInfo& info, Conn&& proto, int timeoutMs, bool* failed);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Pending(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  void Finish(uint32_t id, Conn& c, int err, uint64_t nowNs);
  // Moves an exchange on after readiness; true when it finished (and was erased).
  bool Advance(uint32_t id, Conn& c, uint32_t events, uint64_t nowNs);
  void Wait(uint32_t id, Conn& c, uint64_t nowNs);
  void Drain(uint64_t nowNs);
  void Flush();
  void Rearm();
  void CloseAll();
  static void OnEpoll(uv_poll_t* handle, int status, int events);
  static void OnTimer(uv_timer_t* handle);
  static void OnHandleClosed(uv_handle_t* handle);

  int epfd_ = -1;
  uint32_t nextId_ = 1;
  bool closed_ = false;
  int openHandles_ = 0;
  uv_poll_t* poll_ = nullptr;
  uv_timer_t* timer_ = nullptr;
  std::unordered_map<uint32_t, Conn> conns_;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<Deadline>> deadlines_;
  // Flat triples (id, errno, latency in µs) waiting for the next callback.
  std::vector<double> results_;
  // Exchanges: (id, errno, latency µs, phase) quads and each one's response bytes.
  std::vector<double> xresults_;
  std::vector<std::string> xdata_;
  Napi::FunctionReference onResults_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
};

}  // namespace stayalive
