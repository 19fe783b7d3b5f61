import KernelSupport

/// What happens when a process does something the machine refuses: it is killed with one
/// kernel line, and the kernel goes on with the other threads. Kernel faults still panic
/// (Panic.swift); this is only for traps that came from ring 3.
///
/// Report format (one line):
/// `[kernel] pid 2 (prog) killed: write at 0x0: address not mapped, RIP 0x401136, signal 11`
enum ProcessFaults {
  /// Whether `frame` is an exception (not a page fault, which the page trap handles through
  /// the core's policy) raised by the running process in ring 3.
  static func isUserException(_ frame: UnsafeMutablePointer<TrapFrame>) -> Bool {
    frame.pointee.cs & 3 == 3 && ProcessRunner.current != nil
      && frame.pointee.vector != UInt64(ExceptionVector.pageFault.rawValue)
  }

  /// Kills the running process for a page fault the core's policy refused.
  static func kill(_ reason: KillReason, _ frame: UnsafeMutablePointer<TrapFrame>) -> Never {
    end(
      reason.description + ", RIP " + hex(frame.pointee.rip),
      signal: ProcessEnd.signalSegmentationViolation)
  }

  /// Kills the running process for any other exception: #GP (a non-canonical address, a
  /// privileged instruction), #UD, #DE, …, with the signal Linux would send.
  static func userException(_ frame: UnsafeMutablePointer<TrapFrame>) -> Never {
    let vector = Int(frame.pointee.vector)
    var what = "exception " + String(vector)
    if let known = ExceptionVector(rawValue: vector) {
      what = known.name.description
    }
    var text = what + " (error code " + hex(frame.pointee.error_code) + ")"
    if vector == ExceptionVector.generalProtection.rawValue {
      text += ": non-canonical address or privileged instruction, address unknown"
    }
    end(text + ", RIP " + hex(frame.pointee.rip), signal: signal(for: vector))
  }

  /// The signal Linux delivers for an exception vector (SIGSEGV for one it does not know).
  static func signal(for vector: Int) -> UInt64 {
    ExceptionVector(rawValue: vector)?.linuxSignal ?? ProcessEnd.signalSegmentationViolation
  }

  /// Prints the kill line and ends the process.
  static func end(_ description: String, signal: UInt64) -> Never {
    let process = ProcessRunner.current!
    ProcessConsole.line(
      process.label + " killed: " + description + ", signal " + String(signal))
    ProcessExit.end(process, .killed(signal: signal))
  }
}
