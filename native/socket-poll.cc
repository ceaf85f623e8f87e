// stayalive native addon: readiness through libuv. A uv_poll_t watches the
// fd; each readable event calls the JS callback once, and JS drains with
// recv() until it returns null. No thread per socket, no busy loop.
#include "socket.h"
#include "util.h"

namespace stayalive {

// startPolling(onReadable): onReadable() is called (through MakeCallback, so
// async hooks and microtasks behave) each time the fd is readable. The JS side
// drains with recv(). Holding a strong reference keeps this object alive for
// as long as the poll handle exists.
Napi::Value Socket::StartPolling(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = CheckOpen(env);
  if (info.Length() < 1 || !info[0].IsFunction()) {
    ThrowType(env, "ERR_INVALID_ARG_TYPE", "onReadable must be a function");
  }
  onReadable_ = Napi::Persistent(info[0].As<Napi::Function>());
  if (poll_ == nullptr) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      ThrowErrno(env, "uv_poll_init", EINVAL, "no event loop");
    }
    poll_ = new uv_poll_t;
    int rc = uv_poll_init(loop, poll_, fd);
    if (rc < 0) {
      delete poll_;
      poll_ = nullptr;
      ThrowErrno(env, "uv_poll_init", -rc);
    }
    poll_->data = this;
    Ref();
    if (!asyncContext_) asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "StayaliveSocket");
  }
  if (!keepAlive_) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  int rc = uv_poll_start(poll_, UV_READABLE, OnReadable);
  if (rc < 0) ThrowErrno(env, "uv_poll_start", -rc);
  return env.Undefined();
}

Napi::Value Socket::StopPolling(const Napi::CallbackInfo& info) {
  StopPoll();
  return info.Env().Undefined();
}

// keepAlive(bool): whether an active poll keeps the event loop running
// (uv_ref/uv_unref), like socket.ref()/unref() in Node.
Napi::Value Socket::KeepAlive(const Napi::CallbackInfo& info) {
  keepAlive_ = info.Length() > 0 && info[0].ToBoolean().Value();
  if (poll_ != nullptr) {
    auto* h = reinterpret_cast<uv_handle_t*>(poll_);
    if (keepAlive_) {
      uv_ref(h);
    } else {
      uv_unref(h);
    }
  }
  return info.Env().Undefined();
}

Napi::Value Socket::Close(const Napi::CallbackInfo& info) {
  StopPoll();
  // fd_ is cleared before the close: a batch sent from a signal handler
  // (signal-batch.cc) must never see a number another thread may reuse.
  int fd = fd_;
  fd_ = -1;
  if (fd >= 0) ::close(fd);
  return info.Env().Undefined();
}

// Stops and closes the poll handle. The fd is removed from epoll by
// uv_poll_stop, so closing it right after is safe. The reference taken in
// StartPolling is dropped in OnPollClosed, once libuv is done with the handle.
void Socket::StopPoll() {
  if (poll_ == nullptr) return;
  uv_poll_stop(poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(poll_), OnPollClosed);
  poll_ = nullptr;
  onReadable_.Reset();
}

void Socket::OnPollClosed(uv_handle_t* handle) {
  auto* self = static_cast<Socket*>(handle->data);
  delete reinterpret_cast<uv_poll_t*>(handle);
  if (self != nullptr) {
    Napi::HandleScope scope(self->Env());
    self->Unref();
  }
}

void Socket::OnReadable(uv_poll_t* handle, int status, int /*events*/) {
  auto* self = static_cast<Socket*>(handle->data);
  if (self == nullptr || self->onReadable_.IsEmpty()) return;
  Napi::Env env = self->Env();
  Napi::HandleScope scope(env);
  try {
    if (status < 0) {
      self->onReadable_.MakeCallback(self->Value(), {ErrnoError(env, "uv_poll", -status).Value()},
                                     *self->asyncContext_);
    } else {
      self->onReadable_.MakeCallback(self->Value(), {}, *self->asyncContext_);
    }
  } catch (const Napi::Error& e) {
    // A throwing listener becomes an uncaught exception, as for any Node I/O.
    napi_fatal_exception(env, e.Value());
  }
}

}  // namespace stayalive
