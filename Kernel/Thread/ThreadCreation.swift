import KernelSupport

/// `clone(CLONE_THREAD | …)`: a new thread of the caller's process — what `pthread_create`
/// asks for (musl and glibc pass CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
/// CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
/// CLONE_DETACHED, which old callers add, is ignored as Linux's legacy `clone` ignores it).
///
/// The thread shares everything of the process (memory, descriptors, dispositions, ids,
/// limits); it has its own tid (from the one pid counter), registers (a copy of the caller's
/// system-call frame with RAX = 0 and the new stack), FPU/SSE state (a copy of the caller's),
/// TLS base (`CLONE_SETTLS`, else the caller's), clear_child_tid (`CLONE_CHILD_CLEARTID`), an
/// empty robust list, and the caller's signal mask with nothing pending and no alternate signal
/// stack (Linux clears it for CLONE_VM without CLONE_VFORK). `CLONE_PARENT_SETTID` / `CLONE_CHILD_SETTID` write its tid (same
/// memory, so both at once). The exit signal is ignored (a thread's end signals no one).
///
/// Refusals: ENOSYS for a thread without CLONE_VM, CLONE_FS and CLONE_FILES, or with
/// CLONE_VFORK (a documented difference: Linux allows a thread with a descriptor table of
/// its own); EAGAIN at `UserProcess.threadLimit` or with no kernel stack left; EPERM for a TLS
/// base outside user space (Linux's `do_arch_prctl_64`).
enum ThreadCreation {
  /// What a thread must share here.
  static let requiredFlags = ForkCalls.CLONE_VM | ForkCalls.CLONE_FS | ForkCalls.CLONE_FILES
  /// The flags a thread may carry (beyond the exit signal's bits, ignored).
  static let supportedFlags =
    requiredFlags | ForkCalls.CLONE_SIGHAND | ForkCalls.CLONE_THREAD | ForkCalls.CLONE_SYSVSEM
    | ForkCalls.CLONE_SETTLS | ForkCalls.CLONE_PARENT_SETTID | ForkCalls.CLONE_CHILD_CLEARTID
    | ForkCalls.CLONE_CHILD_SETTID | ForkCalls.CLONE_DETACHED | ForkCalls.CLONE_PARENT
    | ForkCalls.exitSignalMask

  static func create(_ request: ForkCalls.Request) throws(LinuxErrno) -> UInt64 {
    guard request.flags & requiredFlags == requiredFlags, request.flags & ~supportedFlags == 0
    else { throw .ENOSYS }
    let scheduler = Scheduler.shared
    let process = ProcessRunner.current!
    guard process.threads.count < UserProcess.threadLimit else { throw .EAGAIN }
    // A process being killed makes no new thread (the caller ends on its way out, so the
    // answer is never seen; Linux's copy_process answers ERESTARTNOINTR): one made now would
    // never be asked to end.
    guard process.pendingKill == nil else { throw .EAGAIN }
    let user = try state(request, tid: 0)
    guard let stack = scheduler.stacks.allocate() else { throw .EAGAIN }
    var own = user
    own.tid = scheduler.table.allocateID()
    let thread = KernelThread(
      process: process, stack: stack, frame: childFrame(request), fpu: .copyOfCurrent, user: own)
    thread.signals.setMask(scheduler.current.signals.blocked)  // no alternate stack, nothing pending
    process.threads.append(thread)
    scheduler.threads.add(thread)
    writeTID(own.tid, request)
    scheduler.makeRunnable(thread)
    return own.tid
  }

  /// The child's first registers: the caller's system-call frame, RAX = 0, the new stack.
  static func childFrame(_ request: ForkCalls.Request) -> TrapFrame {
    var frame = Scheduler.shared.current.userFrame.pointee
    frame.rax = 0
    if request.stack != 0 { frame.rsp = request.stack }
    return frame
  }

  /// A new thread's (or forked child's) own state: the caller's TLS bases, or `CLONE_SETTLS`'s
  /// FS base; `CLONE_CHILD_CLEARTID`'s address; no robust list (Linux clears it).
  static func state(_ request: ForkCalls.Request, tid: UInt64) throws(LinuxErrno)
    -> UserThreadState
  {
    let caller = Scheduler.shared.current.user
    var user = UserThreadState()
    user.tid = tid
    user.fsBase = caller.fsBase
    user.gsBase = caller.gsBase
    user.commandName = caller.commandName  // Linux copies the whole task, `comm` with it
    if request.flags & ForkCalls.CLONE_SETTLS != 0 {
      guard request.tls < UserLayout.end else { throw .EPERM }
      user.fsBase = request.tls
    }
    if request.flags & ForkCalls.CLONE_CHILD_CLEARTID != 0 { user.clearChildTID = request.childTID }
    return user
  }

  /// `CLONE_PARENT_SETTID` and `CLONE_CHILD_SETTID` for a thread (one memory): its tid as a
  /// pid_t. A bad address is ignored, as Linux's `put_user` there is.
  static func writeTID(_ tid: UInt64, _ request: ForkCalls.Request) {
    let value = UInt32(truncatingIfNeeded: tid)
    if request.flags & ForkCalls.CLONE_PARENT_SETTID != 0 {
      try? FutexKeys.write(value, to: request.parentTID)
    }
    if request.flags & ForkCalls.CLONE_CHILD_SETTID != 0 {
      try? FutexKeys.write(value, to: request.childTID)
    }
  }
}
