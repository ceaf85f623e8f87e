// stayalive native addon: SendBatch. add() parses and copies everything a
// send needs; run() is then only sendmsg() calls, in the order added.
#include "send-batch.h"

#include <errno.h>

#include "util.h"

namespace stayalive {

Napi::Function SendBatch::Define(Napi::Env env) {
  return DefineClass(env, "SendBatch",
                     {
                         InstanceMethod<&SendBatch::Add>("add"),
                         InstanceMethod<&SendBatch::Run>("run"),
                         InstanceAccessor<&SendBatch::GetSize>("size"),
                     });
}

SendBatch::SendBatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SendBatch>(info) {}

// add(socket, data, dest?, ifindex?, source?): the arguments of socket.send().
Napi::Value SendBatch::Add(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    ThrowType(env, "ERR_INVALID_ARG_TYPE", "socket must be a NativeSocket");
  }
  Napi::Object obj = info[0].As<Napi::Object>();
  Socket* target = Napi::ObjectWrap<Socket>::Unwrap(obj);
  if (target == nullptr) ThrowType(env, "ERR_INVALID_ARG_TYPE", "socket must be a NativeSocket");
  Napi::Buffer<uint8_t> data = ArgBuffer(info, 1, "data");
  Entry e;
  e.target = target;
  target->PrepareOut(info, 2, &e.out);
  e.data.assign(data.Data(), data.Data() + data.Length());
  e.socket = Napi::Persistent(obj);
  entries_.push_back(std::move(e));
  return Napi::Number::New(env, static_cast<double>(entries_.size()));
}

// run() -> errno of each datagram in order (0: sent; EBADF: its socket is
// closed). Every datagram is tried; the array is built after the last send.
Napi::Value SendBatch::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<int> errs(entries_.size(), 0);
  for (size_t i = 0; i < entries_.size(); i++) {
    const Entry& e = entries_[i];
    int fd = e.target->fd();
    if (fd < 0) {
      errs[i] = EBADF;
    } else if (SendOut(fd, e.out, e.data.data(), e.data.size()) < 0) {
      errs[i] = errno;
    }
  }
  Napi::Array result = Napi::Array::New(env, errs.size());
  for (size_t i = 0; i < errs.size(); i++) result.Set(i, Napi::Number::New(env, errs[i]));
  return result;
}

Napi::Value SendBatch::GetSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(entries_.size()));
}

}  // namespace stayalive
