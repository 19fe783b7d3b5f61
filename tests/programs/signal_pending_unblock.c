/* signal_pending_unblock — blocks SIGTERM, sends it to itself (it stays pending and the process
 * goes on), checks rt_sigpending, then unblocks it: the default action ends the process then.
 * Expected: killed by SIGTERM, status 143. If it survives it prints `FAIL: ... survived` and
 * exits 1. */
#include "rt.h"
#include "signals.h"

int main(void)
{
    unsigned long term = SIGBIT(SIGTERM);
    if (sys_sigprocmask(SIG_BLOCK, &term, 0) != 0) return say("FAIL: block SIGTERM"), 1;
    if (sys_kill(sys_getpid(), SIGTERM) != 0) return say("FAIL: kill(self, SIGTERM)"), 1;
    say("signal_pending_unblock: SIGTERM sent while blocked, still running");
    if (pending_signals() != term) return say("FAIL: SIGTERM not reported pending"), 1;
    say("signal_pending_unblock: SIGTERM pending; unblocking");
    sys_sigprocmask(SIG_UNBLOCK, &term, 0);
    say("FAIL: signal_pending_unblock survived unblocking a pending SIGTERM");
    return 1;
}
