import KernelSupport

/// Call numbers of the process-creation and family calls (asm/unistd_64.h).
extension SystemCallNumber {
  static let clone: UInt64 = 56
  static let fork: UInt64 = 57
  static let vfork: UInt64 = 58
  static let setpgid: UInt64 = 109
  static let setsid: UInt64 = 112
  static let waitid: UInt64 = 247
  static let clone3: UInt64 = 435
}

/// `fork`, `vfork`, `clone` and `clone3`: a new process, or with `CLONE_THREAD` a new thread
/// of the caller's (`ThreadCreation`).
///
/// The child is a copy of the caller: its memory (copy-on-write, the core's
/// `AddressSpace.fork`), its descriptors (the open file descriptions shared, as `dup` shares
/// them), signal dispositions and mask (nothing pending), working directory, limits, FS base
/// and FPU state; it returns from the call with RAX = 0 (its first trap frame is a copy of the
/// caller's system-call frame). It belongs to the caller's process group and session.
///
/// `vfork` (and `clone(CLONE_VM | CLONE_VFORK)`, what `posix_spawn` uses) lends the caller's
/// address space to the child instead of copying it, and the caller sleeps until the child
/// execs or ends (`UserProcess.finishVfork`).
///
/// Refusals: EAGAIN at the process limit (`Scheduler.processLimit`) or with no kernel stack
/// slot; ENOMEM when the memory (the child's commit, its kernel stack's frames) is not there.
enum ForkCalls {
  /// `clone` flags (linux/sched.h).
  static let exitSignalMask: UInt64 = 0xff  // CSIGNAL
  static let CLONE_VM: UInt64 = 0x100
  static let CLONE_FS: UInt64 = 0x200
  static let CLONE_FILES: UInt64 = 0x400
  static let CLONE_SIGHAND: UInt64 = 0x800
  static let CLONE_PIDFD: UInt64 = 0x1000
  static let CLONE_VFORK: UInt64 = 0x4000
  static let CLONE_PARENT: UInt64 = 0x8000
  static let CLONE_THREAD: UInt64 = 0x10000
  static let CLONE_NEWNS: UInt64 = 0x20000
  static let CLONE_SYSVSEM: UInt64 = 0x40000
  static let CLONE_SETTLS: UInt64 = 0x80000
  static let CLONE_PARENT_SETTID: UInt64 = 0x10_0000
  static let CLONE_CHILD_CLEARTID: UInt64 = 0x20_0000
  static let CLONE_DETACHED: UInt64 = 0x40_0000
  static let CLONE_CHILD_SETTID: UInt64 = 0x100_0000
  static let CLONE_NEWUSER: UInt64 = 0x1000_0000
  static let CLONE_NEWPID: UInt64 = 0x2000_0000
  /// The flags a process (not a thread) clone may carry here: the exit signal, vfork's pair,
  /// and the tid and TLS bookkeeping C libraries pass.
  static let supportedFlags =
    exitSignalMask | CLONE_VM | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID
    | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID

  static func fork(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try create(Request(flags: UInt64(LinuxSignal.SIGCHLD.rawValue)))
  }

  static func vfork(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try create(Request(flags: CLONE_VM | CLONE_VFORK | UInt64(LinuxSignal.SIGCHLD.rawValue)))
  }

  /// `clone(flags, stack, parent_tid, child_tid, tls)` (the x86-64 argument order).
  static func clone(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    // The legacy call ignores CLONE_DETACHED (kernel/fork.c) unless with CLONE_PIDFD.
    let flags = call.a0 & 0xffff_ffff
    if flags & CLONE_PIDFD != 0 && flags & CLONE_PARENT_SETTID != 0 { throw .EINVAL }
    return try create(
      Request(flags: flags, stack: call.a1, parentTID: call.a2, childTID: call.a3, tls: call.a4))
  }

  /// `clone3(args, size)`: `struct clone_args` read and checked as Linux does
  /// (`CloneArguments`: E2BIG, EINVAL), then the same creation as `clone`. The flags only
  /// clone3 has (CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP) and `set_tid` answer ENOSYS here.
  static func clone3(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try CloneArguments.checkSize(call.a1)
    let bytes = try UserMemory.copyIn(from: call.a0, count: Int(call.a1))
    let arguments = try CloneArguments(bytes: bytes)
    let clone3Only = CloneArguments.CLONE_CLEAR_SIGHAND | CloneArguments.CLONE_INTO_CGROUP
    guard arguments.flags & clone3Only == 0, arguments.setTID == 0 else { throw .ENOSYS }
    return try create(
      Request(
        flags: arguments.legacyFlags, stack: arguments.stackPointer,
        parentTID: arguments.parentTID, childTID: arguments.childTID, tls: arguments.tls))
  }

  /// Linux's consistency checks (copy_process), in its order: EINVAL.
  static func check(_ flags: UInt64) throws(LinuxErrno) {
    if flags & (CLONE_NEWNS | CLONE_FS) == CLONE_NEWNS | CLONE_FS { throw .EINVAL }
    if flags & (CLONE_NEWUSER | CLONE_FS) == CLONE_NEWUSER | CLONE_FS { throw .EINVAL }
    if flags & CLONE_THREAD != 0 && flags & CLONE_SIGHAND == 0 { throw .EINVAL }
    if flags & CLONE_SIGHAND != 0 && flags & CLONE_VM == 0 { throw .EINVAL }
    if flags & CLONE_THREAD != 0 && flags & (CLONE_NEWUSER | CLONE_NEWPID) != 0 { throw .EINVAL }
    if flags & CLONE_PIDFD != 0 && flags & (CLONE_DETACHED | CLONE_THREAD) != 0 { throw .EINVAL }
  }

  /// What a creation asks for.
  struct Request {
    var flags: UInt64
    var stack: UInt64 = 0
    var parentTID: UInt64 = 0
    var childTID: UInt64 = 0
    var tls: UInt64 = 0

    var isVfork: Bool { flags & ForkCalls.CLONE_VFORK != 0 }
    var lendsMemory: Bool { flags & ForkCalls.CLONE_VM != 0 }
  }

  /// Creates the child (a thread with `CLONE_THREAD`), makes it runnable, and (vfork) waits
  /// for it to exec or end. ENOSYS for what is not supported: `CLONE_VM` without
  /// `CLONE_THREAD` or `CLONE_VFORK` (a process sharing memory), a thread without `CLONE_FS`
  /// and `CLONE_FILES` (a thread with descriptors of its own), namespaces, pidfds.
  static func create(_ request: Request) throws(LinuxErrno) -> UInt64 {
    try check(request.flags)
    if request.flags & CLONE_THREAD != 0 { return try ThreadCreation.create(request) }
    guard request.flags & ~supportedFlags == 0, !request.lendsMemory || request.isVfork else {
      throw .ENOSYS
    }
    let parent = ProcessRunner.current!
    let scheduler = Scheduler.shared
    guard !scheduler.table.isFull else { throw .EAGAIN }
    var user = try ThreadCreation.state(request, tid: 0)
    guard let stack = scheduler.stacks.allocate() else { throw .ENOMEM }
    let space: ProcessAddressSpace
    do throws(LinuxErrno) {
      space = request.lendsMemory ? parent.addressSpace! : try copySpace(of: parent)
    } catch {
      scheduler.stacks.free(stack)
      throw error
    }
    let child = ProcessCopy.make(of: parent, space: space, lent: request.lendsMemory)
    user.tid = child.id
    let thread = KernelThread(
      process: child, stack: stack, frame: ThreadCreation.childFrame(request),
      fpu: .copyOfCurrent, user: user)
    child.thread = thread
    scheduler.threads.add(thread)
    thread.signals = Processor.current.thread.signals.inheritedByFork
    writeTIDs(request, child: child, parent: parent)
    let vforkDone = request.isVfork ? WaitQueue() : nil
    child.vforkParentWaits = vforkDone
    scheduler.table.add(child)
    if !request.lendsMemory {  // every frame the child maps now, it shares with its parent
      scheduler.largestForkShare = max(scheduler.largestForkShare, space.residentFrames)
    }
    scheduler.makeRunnable(thread)
    if let vforkDone {
      while child.vforkParentWaits != nil {
        if vforkDone.wait() == .interrupted { break }
      }
    }
    return child.id
  }

  /// `CLONE_PARENT_SETTID`: the child's id in the parent's memory; `CLONE_CHILD_SETTID`: in
  /// the child's (with its space loaded for the write, which may copy a page). A bad address
  /// is ignored, as Linux's `put_user` there is.
  static func writeTIDs(_ request: Request, child: UserProcess, parent: UserProcess) {
    let tidBytes = 4  // a pid_t
    let tid = Array(LinuxStructures.littleEndian(child.id)[0..<tidBytes])
    if request.flags & CLONE_PARENT_SETTID != 0 {
      try? UserMemory.copyOut(tid, to: request.parentTID)
    }
    guard request.flags & CLONE_CHILD_SETTID != 0, let space = child.addressSpace else { return }
    let processor = Processor.current
    processor.activate(space)
    try? UserMemory.copyOut(tid, to: request.childTID)
    processor.activate(parent.addressSpace!)
  }

  /// The child's copy-on-write copy of the parent's memory.
  /// ENOMEM when its commit or its page tables cannot be had (the core gives everything back).
  static func copySpace(of parent: UserProcess) throws(LinuxErrno) -> ProcessAddressSpace {
    let physical = ProcessRunner.physical
    let pageMap: PageMap<DirectMap>
    do {
      pageMap = try PageMap(sharingKernelPartOf: MemoryManager.kernelMap!, frames: &physical.frames)
    } catch { throw .ENOMEM }
    do throws(AddressSpaceError) {
      return try parent.addressSpace!.fork(into: pageMap)
    } catch {
      throw .ENOMEM
    }
  }
}
