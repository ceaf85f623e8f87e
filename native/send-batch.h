// stayalive native addon: a batch of datagrams prepared ahead and sent by one
// call, for the moments where the JavaScript between sends would cost more
// than the sends (a VRRP takeover: advert, VIP requests, gratuitous ARPs).
#pragma once

#include <napi.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "socket.h"

namespace stayalive {

class SendBatch : public Napi::ObjectWrap<SendBatch> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit SendBatch(const Napi::CallbackInfo& info);

  // Every datagram in order; errs (may be null) gets each one's errno. Only
  // sendmsg() and stores: safe inside a signal handler.
  void SendAll(int* errs) const;
  // Called by the signal handler once it has sent the batch.
  void MarkFired(int sig) { firedBy_.store(sig); }

 private:
  Napi::Value Add(const Napi::CallbackInfo& info);
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value GetSize(const Napi::CallbackInfo& info);
  Napi::Value ArmSignals(const Napi::CallbackInfo& info);
  Napi::Value GetFired(const Napi::CallbackInfo& info);
  static Napi::Value DisarmSignals(const Napi::CallbackInfo& info);

  struct Entry {
    Napi::ObjectReference socket;  // keeps the socket object alive
    Socket* target;
    std::vector<uint8_t> data;
    OutMessage out;
  };
  std::vector<Entry> entries_;
  bool sealed_ = false;  // armed once: its entries may be read by a handler
  std::atomic<int> firedBy_{0};  // the signal that sent it, set by the handler

  // The armed batch's object, kept alive while the handler may use it.
  static Napi::ObjectReference& armedRef_;
};

}  // namespace stayalive
