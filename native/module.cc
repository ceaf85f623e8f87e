// stayalive native addon: module entry. Exports the NativeSocket, TcpProber and
// SendBatch classes and the interface name <-> index helpers. Linux only.
#include <errno.h>
#include <net/if.h>
#include <sys/prctl.h>
#include <napi.h>

#include "send-batch.h"
#include "socket.h"
#include "tcp-prober.h"
#include "util.h"

namespace stayalive {
namespace {

// ifNameToIndex(name) -> index; throws ENODEV when there is no such interface.
Napi::Value IfNameToIndex(const Napi::CallbackInfo& info) {
  std::string name = ArgString(info, 0, "name");
  unsigned idx = if_nametoindex(name.c_str());
  if (idx == 0) ThrowErrno(info.Env(), "if_nametoindex", errno == 0 ? ENODEV : errno, name);
  return Napi::Number::New(info.Env(), idx);
}

// ifIndexToName(index) -> name; throws ENXIO/ENODEV when the index is unused.
Napi::Value IfIndexToName(const Napi::CallbackInfo& info) {
  int idx = ArgInt(info, 0, "index");
  char buf[IF_NAMESIZE] = {0};
  if (idx <= 0 || if_indextoname(static_cast<unsigned>(idx), buf) == nullptr) {
    ThrowErrno(info.Env(), "if_indextoname", idx <= 0 ? ENODEV : errno, std::to_string(idx));
  }
  return Napi::String::New(info.Env(), buf);
}

// setTimerSlack(ns) -> the previous slack. PR_SET_TIMERSLACK for the calling
// (main) thread: its sleeps (futex, epoll) wake at most this late, not 50 us.
Napi::Value SetTimerSlack(const Napi::CallbackInfo& info) {
  int ns = ArgInt(info, 0, "ns");
  if (ns <= 0) ThrowType(info.Env(), "ERR_OUT_OF_RANGE", "timer slack must be > 0 ns");
  int previous = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  if (previous < 0 || prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(ns), 0, 0, 0) != 0) {
    ThrowErrno(info.Env(), "prctl", errno);
  }
  return Napi::Number::New(info.Env(), previous);
}

}  // namespace
}  // namespace stayalive

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace stayalive;
  exports.Set("NativeSocket", Socket::Define(env));
  exports.Set("TcpProber", TcpProber::Define(env));
  exports.Set("SendBatch", SendBatch::Define(env));
  exports.Set("ifNameToIndex", Napi::Function::New(env, IfNameToIndex, "ifNameToIndex"));
  exports.Set("setTimerSlack", Napi::Function::New(env, SetTimerSlack, "setTimerSlack"));
  exports.Set("ifIndexToName", Napi::Function::New(env, IfIndexToName, "ifIndexToName"));
  return exports;
}

NODE_API_MODULE(stayalive_native, Init)
