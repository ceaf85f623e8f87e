// stayalive native addon: TcpProber, batched non-blocking TCP connects for
// health checks. One epoll set per prober (watched by one uv_poll_t), one
// uv_timer_t for the earliest connect deadline; results reach JS in batches,
// one callback per readiness or timer event.
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <queue>
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
  struct Conn {
    int fd;
    uint64_t startNs;
    uint64_t deadlineNs;
    bool rst;
  };
  // (deadline, id); entries of finished connects are skipped when popped.
  using Deadline = std::pair<uint64_t, uint32_t>;

  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Pending(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  void Finish(uint32_t id, Conn& c, int err, uint64_t nowNs);
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
  Napi::FunctionReference onResults_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
};

}  // namespace stayalive
