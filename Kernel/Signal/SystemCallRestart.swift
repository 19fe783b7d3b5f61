import KernelSupport

/// A system call interrupted by a signal answers a restart code (`LinuxErrno.ERESTARTSYS`
/// …); delivery turns it into what user space sees (arch/x86/kernel/signal.c):
///
/// | answer | a handler runs | no handler runs |
/// |---|---|---|
/// | ERESTARTSYS | EINTR, or restart with `SA_RESTART` | restart |
/// | ERESTARTNOINTR | restart | restart |
/// | ERESTARTNOHAND | EINTR | restart |
/// | ERESTART_RESTARTBLOCK | EINTR | restart through `restart_syscall` (its `restartBlock`) |
///
/// A restart backs RIP up over the 2-byte `syscall` instruction and puts the original call
/// number back in RAX. The original number is the system-call frame's error-code slot
/// (syscall_entry stores RAX there, Linux's `orig_ax`); `noSystemCall` there (set by
/// `rt_sigreturn`, and once converted) means nothing to restart.
enum SystemCallRestart {
  /// The trap frame's vector for a system call (process_entry.S `SYSCALL_VECTOR`).
  static let systemCallVector: UInt64 = 256
  /// `orig_ax = -1`: not in a system call.
  static let noSystemCall = UInt64.max
  /// The length of `syscall` (0F 05).
  static let syscallInstructionLength: UInt64 = 2

  /// The restart answer in `frame`'s RAX, if it is a system call's frame holding one.
  static func answer(_ frame: UnsafeMutablePointer<TrapFrame>) -> LinuxErrno? {
    guard frame.pointee.vector == systemCallVector,
      frame.pointee.error_code != noSystemCall
    else { return nil }
    let code = LinuxErrno(rawValue: -Int64(bitPattern: frame.pointee.rax))
    return code.isRestart ? code : nil
  }

  /// Whether `frame` holds a restart answer still to convert.
  static func pending(_ frame: UnsafeMutablePointer<TrapFrame>) -> Bool {
    answer(frame) != nil
  }

  /// Converts a restart answer by the table above.
  static func convert(
    _ frame: UnsafeMutablePointer<TrapFrame>, handlerRuns: Bool, restartAllowed: Bool
  ) {
    guard let code = answer(frame) else { return }
    let restart: Bool
    switch code {
    case .ERESTARTNOINTR: restart = true
    case .ERESTARTSYS: restart = !handlerRuns || restartAllowed
    default: restart = !handlerRuns
    }
    if restart {
      // sigwait's: an interrupted sleep or poll resumes through restart_syscall.
      frame.pointee.rax =
        code == .ERESTART_RESTARTBLOCK ? SystemCallNumber.restart_syscall : frame.pointee.error_code
      frame.pointee.rip &-= syscallInstructionLength
    } else {
      frame.pointee.rax = LinuxErrno.EINTR.returnValue
    }
    frame.pointee.error_code = noSystemCall
  }
}
