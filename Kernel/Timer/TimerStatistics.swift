/// What the timer interrupt and the blocking waits counted: the evidence that a busy loop in
/// ring 3 is interrupted and that a sleep halts instead of spinning. `since` gives a launch's
/// share, printed at its end (`[kernel] pid N (prog) timer: ...`).
struct TimerStatistics {
  /// Timer interrupts taken, for any reason.
  var interrupts: UInt64 = 0
  /// Ticks: interrupts that ended a tick period while a thread ran (no tick runs while the CPU
  /// idles: it is tickless).
  var ticks: UInt64 = 0
  /// Ticks whose interrupt arrived in ring 3, i.e. interrupted user code.
  var userTicks: UInt64 = 0
  /// HLT instructions the idle loop executed (nothing runnable), and the timed waits
  /// (`WaitQueue.wait(until:)` with a deadline) threads made.
  var halts: UInt64 = 0
  var waits: UInt64 = 0
  /// Waiters the interrupt woke, and the latest any was woken after its deadline (ns).
  var wakeups: UInt64 = 0
  var latestWakeNanoseconds: UInt64 = 0
  /// Interrupts on the spurious vector (no EOI is owed for them).
  var spurious: UInt64 = 0

  /// The counts since `earlier`; the latest wake-up lateness is this one's.
  func since(_ earlier: TimerStatistics) -> TimerStatistics {
    var difference = self
    difference.interrupts -= earlier.interrupts
    difference.ticks -= earlier.ticks
    difference.userTicks -= earlier.userTicks
    difference.halts -= earlier.halts
    difference.waits -= earlier.waits
    difference.wakeups -= earlier.wakeups
    difference.spurious -= earlier.spurious
    if difference.wakeups == 0 { difference.latestWakeNanoseconds = 0 }
    return difference
  }

  /// "N ticks (M in ring 3), H halts in W waits, K wake-ups (latest L us late), I interrupts,
  /// S spurious".
  var description: String {
    let nanosecondsPerMicrosecond: UInt64 = 1000
    return String(ticks) + " ticks (" + String(userTicks) + " in ring 3), " + String(halts)
      + " halts in " + String(waits) + " waits, " + String(wakeups) + " wake-ups (latest "
      + String(latestWakeNanoseconds / nanosecondsPerMicrosecond) + " us late), "
      + String(interrupts) + " interrupts, " + String(spurious) + " spurious"
  }
}
