import KernelSupport

/// The arguments of one system call, in the x86-64 Linux convention: number in RAX, arguments
/// in RDI, RSI, RDX, R10, R8, R9; the result (or -errno) goes back in RAX.
struct SystemCallArguments {
  let number: UInt64
  let a0: UInt64
  let a1: UInt64
  let a2: UInt64
  let a3: UInt64
  let a4: UInt64
  let a5: UInt64
  /// The saved user registers (the system-call frame on the thread's kernel stack), for the
  /// calls that change where the thread returns to (`execve`).
  var frame: UnsafeMutablePointer<TrapFrame>? = nil
}

/// The system-call entry's Swift side: called by process_entry.S with the saved user state.
/// The call number is RAX's low 32 bits, as Linux reads it (an `int`: `(1 << 32) | 39` is
/// getpid, a negative number is no call). The time inside the call is the process's system
/// time (`ProcessTimes`): the time the thread ran inside it (not the time it was blocked).
/// On the way out, the scheduler may end the process (killed) or switch to another thread.
@_cdecl("kernel_syscall_dispatch")
func kernelSyscallDispatch(_ frame: UnsafeMutablePointer<TrapFrame>) {
  // The running thread borrowed, not retained (Kernel/Scheduler/Processor+Borrowing.swift).
  Processor.borrowingCurrentThread { _, thread in handleSystemCall(frame, of: thread) }
  Scheduler.returningToUser()
}

/// One system call of the running `thread`: its time in the kernel, the call, a restart.
@inline(__always)
func handleSystemCall(_ frame: UnsafeMutablePointer<TrapFrame>, of thread: KernelThread) {
  let entered = thread.cpuTicks(at: timestamp_counter_read())
  let saved = frame.pointee
  let arguments = SystemCallArguments(
    number: saved.rax & SystemCalls.numberMask, a0: saved.rdi, a1: saved.rsi, a2: saved.rdx,
    a3: saved.r10, a4: saved.r8, a5: saved.r9, frame: frame)
  ProcessRunner.samplePeakResidency()
  frame.pointee.rax = SystemCalls.dispatch(arguments)
  if SystemCallRestart.pending(frame) { Scheduler.shared.requestAttention(thread) }  // signals'
  // The thread's own process (a `let`: read without a retain) is `ProcessRunner.current`.
  thread.process?.ticksInKernel &+= thread.cpuTicks(at: timestamp_counter_read()) &- entered
}

/// Which handler answers which call. Handlers return the result or throw the errno; anything
/// not listed answers ENOSYS, with one kernel line naming the call the first time a process
/// makes it.
enum SystemCalls {
  typealias Number = SystemCallNumber
  /// The bits of RAX that carry the call number.
  static let numberMask: UInt64 = 0xffff_ffff

  static func dispatch(_ call: SystemCallArguments) -> UInt64 {
    Reclaimer.atSafePoint()  // before any call that may take frames (Kernel/Swap/Reclaimer.swift)
    do throws(LinuxErrno) {
      return try handle(call)
    } catch {
      return error.returnValue
    }
  }

  static func handle(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    switch call.number {
    case Number.read: return try FileCalls.read(call)
    case Number.write: return try FileCalls.write(call)
    case Number.writev: return try FileCalls.writev(call)
    case Number.close: return try FileCalls.close(call)
    case Number.dup: return try FileCalls.dup(call)
    case Number.dup2: return try FileCalls.dup2(call)
    case Number.dup3: return try FileCalls.dup3(call)
    case Number.readv: return try FileCalls.readv(call)
    case Number.pipe: return try PipeCalls.pipe(call)
    case Number.pipe2: return try PipeCalls.pipe2(call)
    case Number.execve: return try ExecCall.execve(call)
    case Number.execveat: return try ExecCall.execveat(call)
    case Number.fcntl: return try FileCalls.fcntl(call)
    case Number.poll: return try PollCalls.poll(call)
    case Number.ppoll: return try PollCalls.ppoll(call)
    case Number.select: return try PollCalls.select(call)
    case Number.pselect6: return try PollCalls.pselect6(call)
    case Number.lseek: return try FileCalls.lseek(call)
    case Number.ioctl: return try FileCalls.ioctl(call)
    case Number.fstat: return try PathCalls.fstat(call)
    case Number.newfstatat: return try PathCalls.newfstatat(call)
    case Number.stat: return try PathCalls.stat(call, follow: true)
    case Number.lstat: return try PathCalls.stat(call, follow: false)
    case Number.statx: return try PathCalls.statx(call)
    case Number.readlink:
      return try PathCalls.readlink(
        directory: PathCalls.atCurrent, path: call.a0, buffer: call.a1, size: call.a2)
    case Number.readlinkat:
      return try PathCalls.readlink(
        directory: call.a0, path: call.a1, buffer: call.a2, size: call.a3)
    case Number.open: return try PathCalls.open(call)
    case Number.openat: return try PathCalls.openat(call)
    case Number.access:
      return try PathCalls.access(
        directory: PathCalls.atCurrent, path: call.a0, mode: call.a1, flags: 0)
    case Number.faccessat:
      return try PathCalls.access(directory: call.a0, path: call.a1, mode: call.a2, flags: 0)
    case Number.faccessat2:
      return try PathCalls.access(
        directory: call.a0, path: call.a1, mode: call.a2, flags: call.a3)
    case Number.getcwd: return try PathCalls.getcwd(call)
    case Number.chdir: return try PathCalls.chdir(call)
    case Number.fchdir: return try PathCalls.fchdir(call)
    case Number.pread64: return try FileReadCalls.pread64(call)
    case Number.getdents64: return try FileReadCalls.getdents64(call)
    case Number.pwrite64: return try FileWriteCalls.pwrite64(call)
    case Number.preadv: return try FileWriteCalls.preadv(call)
    case Number.pwritev: return try FileWriteCalls.pwritev(call)
    case Number.ftruncate: return try FileWriteCalls.ftruncate(call)
    case Number.truncate: return try FileWriteCalls.truncate(call)
    case Number.fsync, Number.fdatasync: return try FileWriteCalls.fsync(call)
    case Number.creat: return try PathCalls.creat(call)
    case Number.mkdir: return try NamespaceCalls.mkdir(call)
    case Number.mkdirat: return try NamespaceCalls.mkdirat(call)
    case Number.unlink: return try NamespaceCalls.unlink(call)
    case Number.unlinkat: return try NamespaceCalls.unlinkat(call)
    case Number.rmdir: return try NamespaceCalls.rmdir(call)
    case Number.rename: return try NamespaceCalls.rename(call)
    case Number.renameat: return try NamespaceCalls.renameat(call)
    case Number.renameat2: return try NamespaceCalls.renameat2(call)
    case Number.link: return try NamespaceCalls.link(call)
    case Number.linkat: return try NamespaceCalls.linkat(call)
    case Number.symlink: return try NamespaceCalls.symlink(call)
    case Number.symlinkat: return try NamespaceCalls.symlinkat(call)
    case Number.chmod: return try NamespaceCalls.chmod(call)
    case Number.fchmod: return try NamespaceCalls.fchmod(call)
    case Number.fchmodat: return try NamespaceCalls.fchmodat(call)
    case Number.utimensat: return try NamespaceCalls.utimensat(call)
    case Number.flock: return try FileLocks.flock(call)
    case Number.memfd_create: return try MemfdCall.memfdCreate(call)
    case Number.umask: return try PathCalls.umask(call)
    case Number.statfs: return try StatfsCalls.statfs(call)
    case Number.fstatfs: return try StatfsCalls.fstatfs(call)
    case Number.exit, Number.exit_group: ProcessCalls.exit(call)
    case Number.mmap: return try MemorySystemCalls.mmap(call)
    case Number.munmap: return try MemorySystemCalls.munmap(call)
    case Number.mprotect: return try MemorySystemCalls.mprotect(call)
    case Number.brk: return MemorySystemCalls.brk(call)
    case Number.madvise: return try MemorySystemCalls.madvise(call)
    case Number.mremap: return try RemapCall.mremap(call)
    case Number.fadvise64: return try FileAdviceCall.fadvise64(call)
    default: return try handleProcessCall(call)
    }
  }

  static func handleProcessCall(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let process = ProcessRunner.current!
    switch call.number {
    case Number.arch_prctl: return try ProcessCalls.archPrctl(call)
    case Number.prctl: return try ProcessNameCalls.prctl(call)
    case Number.set_tid_address:
      Processor.current.thread.user.clearChildTID = call.a0
      return Processor.current.thread.user.tid
    case Number.getpid: return process.id
    case Number.gettid: return Processor.current.thread.user.tid
    case Number.futex: return try FutexCalls.futex(call)
    case Number.get_robust_list: return try RobustList.get(call)
    case Number.getppid: return process.parent?.id ?? UserProcess.parentID
    case Number.getpgrp: return GroupCalls.getpgrp(call)
    case Number.getpgid: return try GroupCalls.getpgid(call)
    case Number.getsid: return try GroupCalls.getsid(call)
    case Number.setpgid: return try GroupCalls.setpgid(call)
    case Number.setsid: return try GroupCalls.setsid(call)
    case Number.wait4: return try WaitCalls.wait4(call)
    case Number.waitid: return try WaitCalls.waitid(call)
    case Number.fork: return try ForkCalls.fork(call)
    case Number.vfork: return try ForkCalls.vfork(call)
    case Number.clone: return try ForkCalls.clone(call)
    case Number.clone3: return try ForkCalls.clone3(call)
    case Number.gettimeofday: return try TimeCalls.gettimeofday(call)
    case Number.time: return try TimeCalls.time(call)
    case Number.nanosleep: return try SleepCalls.nanosleep(call)
    case Number.clock_nanosleep: return try SleepCalls.clockNanosleep(call)
    case Number.sched_getaffinity: return try ProcessCalls.schedGetaffinity(call)
    case Number.getuid, Number.geteuid, Number.getgid, Number.getegid: return 0
    case Number.clock_gettime: return try TimeCalls.clockGettime(call)
    case Number.clock_getres: return try TimeCalls.clockGetres(call)
    case Number.getrusage: return try ResourceCalls.getrusage(call)
    case Number.times: return try ResourceCalls.times(call)
    case Number.sysinfo: return try ResourceCalls.sysinfo(call)
    case Number.getrlimit: return try ResourceCalls.getrlimit(call)
    case Number.setrlimit: return try ResourceCalls.setrlimit(call)
    case Number.uname: return try ProcessCalls.uname(call)
    case Number.getrandom: return try ProcessCalls.getrandom(call)
    case Number.prlimit64: return try ResourceCalls.prlimit64(call)
    case Number.kill, Number.tkill, Number.tgkill: return try SignalCalls.kill(call)
    case Number.set_robust_list: return try RobustList.set(call)
    case Number.rseq: throw .ENOSYS
    case Number.rt_sigaction: return try SignalCalls.rtSigaction(call)
    case Number.rt_sigprocmask: return try SignalCalls.rtSigprocmask(call)
    case Number.rt_sigpending: return try SignalCalls.rtSigpending(call)
    case Number.sigaltstack: return try SignalCalls.sigaltstack(call)
    case Number.rt_sigreturn: return SignalReturn.rtSigreturn(call)
    case Number.rt_sigqueueinfo: return try SignalQueueCalls.rtSigqueueinfo(call)
    case Number.rt_tgsigqueueinfo: return try SignalQueueCalls.rtTgsigqueueinfo(call)
    case Number.alarm: return TimerCalls.alarm(call)
    case Number.getitimer: return try TimerCalls.getitimer(call)
    case Number.setitimer: return try TimerCalls.setitimer(call)
    case Number.restart_syscall: return try RestartCalls.restartSyscall(call)
    case Number.rt_sigtimedwait: return try SignalWaitCalls.rtSigtimedwait(call)
    case Number.rt_sigsuspend: return try SignalWaitCalls.rtSigsuspend(call)
    case Number.pause: return try SignalWaitCalls.pause(call)
    case Number.sched_yield:
      Scheduler.shared.yield()
      return 0
    default: return try unsupported(call)
    }
  }

  /// ENOSYS, with one kernel line naming the call the first time the process makes it (every
  /// number from 512 up shares one line).
  static func unsupported(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let process = ProcessRunner.current!
    guard process.unsupportedCalls.isFirst(call.number) else { throw .ENOSYS }
    let name = SystemCallNumber.name(of: call.number).map { " (" + $0 + ")" } ?? ""
    let scope =
      UnsupportedCallLog.isOutOfRange(call.number) ? "every number from 512" : "this number"
    ProcessConsole.line(
      process.label + " system call " + String(call.number) + name
        + " not supported: ENOSYS (logged once for " + scope + ")")
    throw .ENOSYS
  }
}
