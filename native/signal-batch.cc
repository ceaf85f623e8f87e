// stayalive native addon: the signal-armed SendBatch. The handler runs the
// armed batch (sendmsg() only: async-signal-safe) on the main thread, then
// calls the handler it replaced, so Node still sees the signal as before.
#include "signal-batch.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <atomic>

#include "send-batch.h"

namespace stayalive {
namespace {

std::atomic<SendBatch*> armed{nullptr};
pthread_t mainThread;
struct sigaction previous[NSIG];

void Chain(int sig, siginfo_t* info, void* ctx) {
  const struct sigaction& p = previous[sig];
  if ((p.sa_flags & SA_SIGINFO) != 0) {
    if (p.sa_sigaction != nullptr) p.sa_sigaction(sig, info, ctx);
  } else if (p.sa_handler == SIG_DFL) {
    // Nobody else wanted it: the default action, once this handler returns.
    signal(sig, SIG_DFL);
    raise(sig);
  } else if (p.sa_handler != SIG_IGN) {
    p.sa_handler(sig);
  }
}

void OnSignal(int sig, siginfo_t* info, void* ctx) {
  int saved = errno;
  if (!pthread_equal(pthread_self(), mainThread)) {
    // Only the main thread touches the sockets and the batch; hand it over.
    pthread_kill(mainThread, sig);
    errno = saved;
    return;
  }
  // Whoever takes the pointer owns the send: a second signal finds nothing.
  SendBatch* b = armed.exchange(nullptr);
  if (b != nullptr) {
    b->SendAll(nullptr);
    b->MarkFired(sig);
  }
  errno = saved;
  Chain(sig, info, ctx);
}

}  // namespace

int ArmSignalBatch(SendBatch* batch, const std::vector<int>& signals) {
  mainThread = pthread_self();
  for (int sig : signals) {
    if (sig <= 0 || sig >= NSIG) return EINVAL;
    struct sigaction cur;
    if (sigaction(sig, nullptr, &cur) != 0) return errno;
    bool ours = (cur.sa_flags & SA_SIGINFO) != 0 && cur.sa_sigaction == OnSignal;
    if (ours) continue;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = OnSignal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (int other : signals) sigaddset(&sa.sa_mask, other);
    previous[sig] = cur;
    if (sigaction(sig, &sa, nullptr) != 0) return errno;
  }
  armed.store(batch);
  return 0;
}

}  // namespace stayalive
