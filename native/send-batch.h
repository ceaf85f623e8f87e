// stayalive native addon: a batch of datagrams prepared ahead and sent by one
// call, for the moments where the JavaScript between sends would cost more
// than the sends (a VRRP takeover: advert, VIP requests, gratuitous ARPs).
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

#include "socket.h"

namespace stayalive {

class SendBatch : public Napi::ObjectWrap<SendBatch> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit SendBatch(const Napi::CallbackInfo& info);

 private:
  Napi::Value Add(const Napi::CallbackInfo& info);
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value GetSize(const Napi::CallbackInfo& info);

  struct Entry {
    Napi::ObjectReference socket;  // keeps the socket object alive
    Socket* target;
    std::vector<uint8_t> data;
    OutMessage out;
  };
  std::vector<Entry> entries_;
};

}  // namespace stayalive
