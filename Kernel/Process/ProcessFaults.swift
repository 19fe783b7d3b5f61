import KernelSupport

/// What happens when a process does something the machine refuses: the signal Linux sends for
/// it (SIGSEGV with si_addr and SEGV_MAPERR/SEGV_ACCERR for a refused page fault, the
/// exception's signal and si_code otherwise: `ExceptionSignal`) is forced on the thread. A
/// handler for it, not blocked, runs on the way back to ring 3 (and may repair the cause and
/// return: the instruction is retried); otherwise the process is killed with one kernel line
/// naming the reason, and the kernel goes on with the other threads (Linux's `force_sig`
/// rule). Kernel faults still panic (Panic.swift); this is only for traps from ring 3.
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

  /// A page fault the core's policy refused: SIGSEGV for the fault address.
  static func kill(_ reason: KillReason, _ frame: UnsafeMutablePointer<TrapFrame>) {
    let thread = Processor.current.thread
    thread.signals.lastTrap = TrapRecord(
      vector: frame.pointee.vector, errorCode: frame.pointee.error_code,
      address: reason.address)
    force(reason.signalInfo, reason.description + ", RIP " + hex(frame.pointee.rip))
  }

  /// Any other exception: #GP (a non-canonical address, a privileged instruction), #UD, #DE,
  /// …, with the signal and si_code Linux sends. A spurious #MF/#XM (no unmasked flag) sends
  /// nothing, as on Linux.
  static func userException(_ frame: UnsafeMutablePointer<TrapFrame>) {
    let vector = Int(frame.pointee.vector)
    let thread = Processor.current.thread
    let area = thread.stack!.fpuArea
    user_fpu_state_save(area)
    let status = FPUStatus(
      controlWord: area.load(fromByteOffset: FXSaveImage.fcwOffset, as: UInt16.self),
      statusWord: area.load(fromByteOffset: FXSaveImage.fswOffset, as: UInt16.self),
      mxcsr: area.load(fromByteOffset: FXSaveImage.mxcsrOffset, as: UInt32.self))
    guard let info = ExceptionSignal.info(vector: vector, rip: frame.pointee.rip, fpu: status)
    else { return }
    thread.signals.lastTrap = TrapRecord(
      vector: frame.pointee.vector, errorCode: frame.pointee.error_code, address: 0)
    force(info, exceptionDescription(frame))
  }

  /// The kill line's words for the exception in `frame`.
  static func exceptionDescription(_ frame: UnsafeMutablePointer<TrapFrame>) -> String {
    let vector = Int(frame.pointee.vector)
    var what = "exception " + String(vector)
    if let known = ExceptionVector(rawValue: vector) {
      what = known.name.description
    }
    var text = what + " (error code " + hex(frame.pointee.error_code) + ")"
    if vector == ExceptionVector.generalProtection.rawValue {
      text += ": non-canonical address or privileged instruction, address unknown"
    }
    return text + ", RIP " + hex(frame.pointee.rip)
  }

  /// Forces `info`'s signal on the running thread; kills with `description` if no handler
  /// can take it. The description is only made for the kill line: a handled fault (a write
  /// barrier's every round trip) builds no string.
  static func force(_ info: SignalInfo, _ description: @autoclosure () -> String) {
    let process = ProcessRunner.current!
    let outcome = process.signals.force(info, on: &Processor.current.thread.signals)
    guard case .terminates(let signal) = outcome else {
      return Scheduler.shared.requestAttention(Processor.current.thread)
    }
    end(description(), signal: UInt64(signal.rawValue))
  }

  /// Prints the kill line and ends the process.
  static func end(_ description: String, signal: UInt64) -> Never {
    let process = ProcessRunner.current!
    ProcessConsole.line(
      process.label + " killed: " + description + ", signal " + String(signal))
    ProcessExit.end(process, .killed(signal: signal))
  }
}
