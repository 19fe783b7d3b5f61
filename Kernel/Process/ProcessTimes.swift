import KernelSupport

/// A process's CPU time as `getrusage`, `times` and the CPU-time clocks report it.
///
/// user + system = the time its threads have been on the CPU (the scheduler adds each stretch,
/// `KernelThread.cpuTicks`). The split: system time is the time it ran inside system calls
/// (the dispatcher adds each call's on-CPU ticks to `UserProcess.ticksInKernel`), user time
/// is the rest. So page faults and interrupts count as user time (the trap path is not timed);
/// a sleep or a wait counts as neither, as on Linux (the thread is off the CPU).
struct ProcessTimes {
  let userNanoseconds: UInt64
  let systemNanoseconds: UInt64

  init(of process: UserProcess, at now: UInt64 = timestamp_counter_read()) {
    let elapsed = process.cpuTicks(at: now)
    let system = min(process.ticksInKernel, elapsed)
    userNanoseconds = MonotonicClock.nanoseconds(ofTicks: elapsed - system)
    systemNanoseconds = MonotonicClock.nanoseconds(ofTicks: system)
  }

  var totalNanoseconds: UInt64 { userNanoseconds + systemNanoseconds }
}
