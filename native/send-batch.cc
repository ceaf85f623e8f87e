// stayalive native addon: SendBatch. add() parses and copies everything a
// send needs; run() is then only sendmsg() calls, in the order added.
#include "send-batch.h"

#include <errno.h>

#include "signal-batch.h"
#include "util.h"

namespace stayalive {

Napi::Function SendBatch::Define(Napi::Env env) {
  return DefineClass(env, "SendBatch",
                     {
                         InstanceMethod<&SendBatch::Add>("add"),
                         InstanceMethod<&SendBatch::Run>("run"),
                         InstanceAccessor<&SendBatch::GetSize>("size"),
                         InstanceMethod<&SendBatch::ArmSignals>("armSignals"),
                         InstanceAccessor<&SendBatch::GetFired>("fired"),
                         StaticMethod<&SendBatch::DisarmSignals>("disarmSignals"),
                     });
}

// Never destroyed: a static reference's destructor would run after the
// environment is gone, at exit.
Napi::ObjectReference& SendBatch::armedRef_ = *new Napi::ObjectReference();

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
  if (sealed_) ThrowType(env, "ERR_INVALID_STATE", "batch was armed for signals: build a new one");
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
  SendAll(errs.data());
  Napi::Array result = Napi::Array::New(env, errs.size());
  for (size_t i = 0; i < errs.size(); i++) result.Set(i, Napi::Number::New(env, errs[i]));
  return result;
}

void SendBatch::SendAll(int* errs) const {
  for (size_t i = 0; i < entries_.size(); i++) {
    const Entry& e = entries_[i];
    int fd = e.target->fd();
    int err = 0;
    if (fd < 0) {
      err = EBADF;
    } else if (SendOut(fd, e.out, e.data.data(), e.data.size()) < 0) {
      err = errno;
    }
    if (errs != nullptr) errs[i] = err;
  }
}

// armSignals([signo...]): sent from the handler of the first of these signals
// to arrive (then Node's handler runs as before). Replaces any armed batch;
// the batch can no longer be added to.
Napi::Value SendBatch::ArmSignals(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) {
    ThrowType(env, "ERR_INVALID_ARG_TYPE", "signals must be an array of numbers");
  }
  Napi::Array list = info[0].As<Napi::Array>();
  std::vector<int> signals;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list.Get(i);
    if (!v.IsNumber()) ThrowType(env, "ERR_INVALID_ARG_TYPE", "signals must be an array of numbers");
    signals.push_back(v.As<Napi::Number>().Int32Value());
  }
  sealed_ = true;
  // The old batch's reference goes only once the handler can no longer take it.
  Napi::ObjectReference keep = Napi::Persistent(Value());
  int err = ArmSignalBatch(this, signals);
  if (err != 0) {
    ArmSignalBatch(nullptr, {});
    armedRef_.Reset();
    ThrowErrno(env, "sigaction", err);
  }
  armedRef_ = std::move(keep);
  return env.Undefined();
}

Napi::Value SendBatch::DisarmSignals(const Napi::CallbackInfo& info) {
  ArmSignalBatch(nullptr, {});
  armedRef_.Reset();
  return info.Env().Undefined();
}

// True once a signal has sent this batch.
Napi::Value SendBatch::GetFired(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), firedBy_.load() != 0);
}

Napi::Value SendBatch::GetSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(entries_.size()));
}

}  // namespace stayalive
