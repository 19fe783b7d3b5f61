import KernelSupport

/// `execve(path, argv, envp)` and `execveat(dirfd, path, argv, envp, flags)`: the calling
/// process's image is replaced in place — same pid, descriptors (less the close-on-exec ones),
/// working directory, signal mask and pending signals, resource limits — by the program
/// loaded from the root file system, in Linux 6.1's order (fs/exec.c `do_execveat_common`):
///
/// 1. the path is read and the file opened (`ExecutableFile`: ENOENT, ENOTDIR, ELOOP,
///    ENAMETOOLONG; EACCES for anything but a regular file with an execute bit; ETXTBSY
///    while a description may write it — the program then holds it as running,
///    `RunningImage`, and opening it for writing is ETXTBSY);
/// 2. argv and envp are copied from user memory (`ExecArguments`: EFAULT, E2BIG);
/// 3. the format is recognised, `#!` scripts followed to their interpreter at most
///    `maximumInterpreterDepth` deep (ELOOP beyond), the ELF checked (ENOEXEC), and a
///    dynamically linked program's `PT_INTERP` opened and checked (`ProgramLoader.
///    interpreter`: ENOENT, EACCES, ELIBBAD);
/// 4. a new, empty address space is made (ENOMEM).
///
/// Every error so far leaves the process as it was. Then comes the **point of no return**
/// (Linux's `begin_new_exec`): the new space is activated (CR3), the old one torn down
/// completely — its frames and tables back to the machine, its commit refunded — and the
/// program mapped into the new one. A failure from here on (the commit cannot cover the new
/// image) kills the process with SIGSEGV, as Linux does. On success: FS base 0, the FPU in its
/// power-on state, close-on-exec descriptors closed, caught signals back to `SIG_DFL`
/// (`SignalState.resetHandlersForExec`), the name the file's base name (Linux's `comm`), a
/// vfork parent released, and the system call returns to the new entry point: the saved
/// frame gets the entry's RIP, the stack's RSP, the initial RFLAGS and zero in every other
/// register.
enum ExecCall {
  /// `exec_binprm`'s loop: a script's interpreter may itself be a script, this many times.
  static let maximumInterpreterDepth = 5
  /// `AT_EMPTY_PATH`, `AT_SYMLINK_NOFOLLOW`: the flags `execveat` takes.
  static let allowedFlags = OpenFlags.emptyPath | OpenFlags.symlinkNoFollow
  /// RFLAGS at the new entry: IF (the timer interrupts user code) and the reserved bit 1.
  static let initialUserFlags: UInt64 = 0x202

  static func execve(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try execute(
      directory: UInt64(bitPattern: Int64(OpenFlags.currentDirectory)), path: call.a0,
      arguments: call.a1, environment: call.a2, flags: 0, frame: call.frame!)
  }

  static func execveat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try execute(
      directory: call.a0, path: call.a1, arguments: call.a2, environment: call.a3,
      flags: call.a4, frame: call.frame!)
  }

  static func execute(
    directory: UInt64, path pathAddress: UInt64, arguments: UInt64, environment: UInt64,
    flags fullFlags: UInt64, frame: UnsafeMutablePointer<TrapFrame>
  ) throws(LinuxErrno) -> UInt64 {
    let flags = UInt64(UInt32(truncatingIfNeeded: fullFlags))
    guard flags & ~allowedFlags == 0 else { throw .EINVAL }
    let path = try PathCalls.copyPath(pathAddress)
    let name = fileName(of: path, from: directory)
    let opened = try ExecutableFile.open(
      directory: directory, path: path, emptyPath: flags & OpenFlags.emptyPath != 0,
      follow: flags & OpenFlags.symlinkNoFollow == 0, name: name)
    var copied = try ExecArguments.copy(
      arguments: arguments, environment: environment, fileName: name)
    let file = try followInterpreters(from: opened, arguments: &copied.arguments)
    let image = ELFBytes(file.bytes)
    let plan: LoadPlan
    do throws(LoadFailure) { plan = try ProgramLoader.plan(for: image) } catch {
      throw .ENOEXEC
    }
    let interpreter = try ProgramLoader.interpreter(of: plan)
    try ThreadGroup.endOthersForExec(ProcessRunner.current!)
    let space: ProcessAddressSpace
    do throws(LoadFailure) { space = try ProgramLoader.newAddressSpace() } catch {
      throw .ENOMEM
    }
    let process = ProcessRunner.current!
    replaceImage(of: process, with: space)
    let start = load(plan, image, interpreter, copied, into: space, name: name)
    process.program.runningImage = file.runningImage
    resetState(of: process, fileName: name)
    enter(frame, at: start.entry, stack: start.stackPointer)
    process.finishVfork()
    return 0
  }

  /// From a `#!` script to its interpreter, and on while the interpreter is a script too
  /// (`exec_binprm`'s loop, at most `maximumInterpreterDepth` scripts): argv becomes the
  /// interpreter, its argument, the script's name and the rest. The file that is no script.
  static func followInterpreters(from start: ExecutableFile, arguments: inout [[UInt8]])
    throws(LinuxErrno) -> ExecutableFile
  {
    var file = start
    var depth = 0
    while InterpreterLine.isScript(file.bytes) {
      depth += 1
      guard depth <= maximumInterpreterDepth else { throw .ELOOP }
      guard let line = InterpreterLine(head: file.bytes) else { throw .ENOEXEC }
      arguments = line.arguments(scriptPath: file.path, original: arguments)
      file = try ExecutableFile.open(
        directory: UInt64(bitPattern: Int64(OpenFlags.currentDirectory)),
        path: line.interpreter, emptyPath: false, follow: true, name: line.interpreter)
    }
    return file
  }

  /// Maps the program into the (now current) new space; past the point of no return a
  /// failure kills the process with SIGSEGV, as Linux's `force_fatal_sig`.
  static func load(
    _ plan: LoadPlan, _ image: ELFBytes, _ interpreter: ELFBytes?, _ copied: ExecArguments,
    into space: ProcessAddressSpace, name: [UInt8]
  ) -> (entry: UInt64, stackPointer: UInt64) {
    do throws(LoadFailure) {
      return try ProgramLoader.populate(
        space, plan: plan, file: image, interpreter: interpreter, arguments: copied.arguments,
        environment: copied.environment)
    } catch {
      ProcessFaults.end(
        "execve of " + ProgramLaunch.printable(name) + " failed after the point of no return: "
          + error.description, signal: ProcessEnd.signalSegmentationViolation)
    }
  }

  /// The point of no return: the new space becomes the CPU's (CR3) and the process's, then
  /// the old one is let go — torn down, its TLB entries gone with the CR3 load; or, when it
  /// was a vfork parent's, left to the parent (`giveUpAddressSpace`).
  static func replaceImage(of process: UserProcess, with space: ProcessAddressSpace) {
    ProcessRunner.samplePeakResidency()
    Processor.current.activate(space)
    process.giveUpAddressSpace()
    process.addressSpace = space
  }

  /// What a new program does not inherit.
  static func resetState(of process: UserProcess, fileName: [UInt8]) {
    let thread = Processor.current.thread
    thread.user.fsBase = 0
    UserMode.setFSBase(0)
    thread.user.gsBase = 0
    model_specific_register_write(ProcessCalls.gsBaseRegister, 0)
    // The power-on FPU/SSE image, loaded now (the thread's area is where a switch saves it).
    if let stack = Processor.current.thread.stack {
      user_fpu_state_initial(stack.fpuArea)
      user_fpu_state_restore(stack.fpuArea)
    }
    thread.user.clearChildTID = 0
    thread.user.robustListHead = 0  // the old memory is gone: nothing left to walk
    thread.user.commandName = nil  // `comm` is the new file's base name (`process.name`)
    process.descriptors.closeOnExecDescriptors()
    process.signals.resetHandlersForExec()
    thread.signals.resetForExec()  // no alternate signal stack in the new image
    process.name = String(decoding: baseName(of: fileName), as: UTF8.self)
  }

  /// The saved system-call frame now returns to `entry` with `stack`, every other register 0.
  static func enter(_ frame: UnsafeMutablePointer<TrapFrame>, at entry: UInt64, stack: UInt64) {
    let codeSelector = frame.pointee.cs
    let stackSelector = frame.pointee.ss
    let vector = frame.pointee.vector
    frame.pointee = TrapFrame()
    frame.pointee.vector = vector
    frame.pointee.rip = entry
    frame.pointee.cs = codeSelector
    frame.pointee.rflags = initialUserFlags
    frame.pointee.rsp = stack
    frame.pointee.ss = stackSelector
  }

  /// The name the new program is known by (`bprm->filename`: what a script's interpreter gets,
  /// the base of the process's name, what the argument limit counts): the path itself when
  /// absolute or relative to the working directory, else `/dev/fd/N/PATH` — or `/dev/fd/N`
  /// for `AT_EMPTY_PATH` — as Linux's `alloc_bprm` names it.
  static func fileName(of path: [UInt8], from directory: UInt64) -> [UInt8] {
    let descriptor = Int32(truncatingIfNeeded: directory)
    if descriptor == OpenFlags.currentDirectory || path.first == UInt8(ascii: "/") { return path }
    let base = Array(("/dev/fd/" + String(descriptor)).utf8)
    return path.isEmpty ? base : base + [UInt8(ascii: "/")] + path
  }

  /// `kbasename`: what follows the last `/`.
  static func baseName(of path: [UInt8]) -> [UInt8] {
    guard let slash = path.lastIndex(of: UInt8(ascii: "/")) else { return path }
    return Array(path[(slash + 1)...])
  }
}
