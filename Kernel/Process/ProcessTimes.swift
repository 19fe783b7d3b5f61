import KernelSupport

/// A process's CPU time as `getrusage`, `times` and the CPU-time clocks report it.
///
/// One process runs at a time and nothing else runs (the timer interrupt only counts a tick),
/// so all the time since it entered ring 3 is its own: user + system = that elapsed time, exactly. The split: system time is the
/// time spent inside system calls (the dispatcher adds each call's TSC ticks to
/// `UserProcess.ticksInKernel`), user time is the rest. So page faults count as user time (the
/// trap path is not timed), and a sleep or a `poll` timeout — a halt inside a system call —
/// counts as system time, where Linux would count neither (the task sleeps).
struct ProcessTimes {
  let userNanoseconds: UInt64
  let systemNanoseconds: UInt64

  init(of process: UserProcess, at now: UInt64 = timestamp_counter_read()) {
    let elapsed = now &- process.enteredAt
    let system = min(process.ticksInKernel, elapsed)
    userNanoseconds = MonotonicClock.nanoseconds(ofTicks: elapsed - system)
    systemNanoseconds = MonotonicClock.nanoseconds(ofTicks: system)
  }

  var totalNanoseconds: UInt64 { userNanoseconds + systemNanoseconds }
}
