/// The file calls over the process's `DescriptorTable`: stdin and the serial console (fds 0,
/// 1, 2 at start, and their duplicates), what `open` opened in the root file system
/// (FileReadCalls, PathCalls), and pipe ends (Kernel/Pipe: `PipeIO`).
enum FileCalls {
  /// `IOV_MAX`.
  static let maximumVectors: UInt64 = 1024
  /// `sizeof(struct iovec)`.
  static let vectorSize = 16
  /// `S_IFCHR | 0620`: a character device, as a terminal's descriptors are.
  static let characterDeviceMode: UInt32 = 0o020620

  /// `fcntl` commands.
  static let duplicateCommand: UInt64 = 0  // F_DUPFD
  static let getDescriptorFlags: UInt64 = 1  // F_GETFD
  static let setDescriptorFlags: UInt64 = 2  // F_SETFD
  static let getStatusFlags: UInt64 = 3  // F_GETFL
  static let setStatusFlags: UInt64 = 4  // F_SETFL
  static let duplicateCloseOnExecCommand: UInt64 = 1030  // F_DUPFD_CLOEXEC
  static let getLock: UInt64 = 5  // F_GETLK
  static let setLock: UInt64 = 6  // F_SETLK
  static let setLockWait: UInt64 = 7  // F_SETLKW
  static let openFileDescriptionGetLock: UInt64 = 36  // F_OFD_GETLK
  static let openFileDescriptionSetLock: UInt64 = 37  // F_OFD_SETLK
  static let openFileDescriptionSetLockWait: UInt64 = 38  // F_OFD_SETLKW
  /// `O_RDONLY`, `O_WRONLY` (what F_GETFL reports for stdin and the console).
  static let readOnly: UInt64 = 0
  static let writeOnly: UInt64 = 1

  static var descriptors: DescriptorTable {
    get { ProcessRunner.current!.descriptors }
    set { ProcessRunner.current!.descriptors = newValue }
  }

  /// The soft `RLIMIT_NOFILE`: descriptors are numbered below it.
  static var descriptorLimit: UInt64 { ProcessRunner.current!.limits.openFiles }

  /// `read`: stdin's bytes, a root-file-system file, end of file on the console. The buffer
  /// passes the range check first.
  static func read(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let file = try readable(call.a0)
    guard UserPointer.passesAccessCheck(call.a1, length: call.a2) else { throw .EFAULT }
    return try FileReadCalls.read(file, to: call.a1, count: call.a2)
  }

  /// The file behind a descriptor that may be read: EBADF for one opened write-only or a
  /// pipe's write end (Linux's `FMODE_READ` check comes before the buffer's).
  static func readable(_ descriptor: UInt64) throws(LinuxErrno) -> OpenFile {
    let file = try descriptors.file(descriptor)
    if case .node(let open) = file, !open.readable { throw .EBADF }
    if case .pipe(let end) = file, !end.isReadEnd { throw .EBADF }
    return file
  }

  /// `readv`: the vectors are read and checked first, as for `writev`; a pipe fills them in
  /// one go (`pipe_read` over the iovec), any other file vector by vector until a short read.
  static func readv(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let file = try readable(call.a0)
    let vectors = try userVectors(at: call.a1, count: call.a2)
    if case .pipe(let end) = file {
      return try PipeIO.read(end, into: UserVectors(pieces: vectors))
    }
    var done: UInt64 = 0
    for (base, length) in vectors where length > 0 {
      let part: UInt64
      do { part = try FileReadCalls.read(file, to: base, count: length) } catch {
        if done == 0 { throw error }
        return done
      }
      done += part
      if part < length { break }
    }
    return done
  }

  /// `write` to stdout or stderr (the console), a pipe, or a file or device of the root file
  /// system (FileWriteCalls).
  static func write(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    switch try descriptors.file(call.a0) {
    case .pipe(let end):
      guard !end.isReadEnd else { throw .EBADF }
      guard UserPointer.passesAccessCheck(call.a1, length: call.a2) else { throw .EFAULT }
      return try PipeIO.write(end, from: UserVectors(call.a1, count: call.a2))
    case .node(let open): return try FileWriteCalls.write(open, from: call.a1, count: call.a2)
    case .input: throw .EBADF
    case .console: return try writeConsole(from: call.a1, count: call.a2)
    case .generated: throw .EINVAL  // /proc: no write operation
    }
  }

  /// Copies `count` user bytes to the console through the bounce buffer. A fault after some
  /// bytes went out returns the count written, as Linux does.
  static func writeConsole(from address: UInt64, count: UInt64) throws(LinuxErrno) -> UInt64 {
    guard UserPointer.passesAccessCheck(address, length: count) else { throw .EFAULT }
    var written: UInt64 = 0
    while written < count {
      let chunk = Int(min(count - written, UInt64(UserMemory.bounceSize)))
      do {
        try UserMemory.copyIn(from: address + written, count: chunk, to: UserMemory.bounce)
      } catch {
        if written == 0 { throw error }
        return written
      }
      ConsoleTerminal.writeOutput(UnsafeRawBufferPointer(start: UserMemory.bounce, count: chunk))
      written += UInt64(chunk)
    }
    return written
  }

  /// `writev`: each `struct iovec { base, length }` in turn. Like Linux's `import_iovec`, it
  /// reads and range-checks every vector before writing anything: a vector with a kernel
  /// address (even of length 0) is EFAULT with nothing written. A user page that turns out
  /// unreadable mid-way ends the call with the count written so far (a pipe's or file's
  /// behaviour; see PROCESSES.md for Linux's tty).
  static func writev(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    if case .pipe(let end) = try descriptors.file(call.a0) {
      guard !end.isReadEnd else { throw .EBADF }
      let vectors = try userVectors(at: call.a1, count: call.a2)
      return try PipeIO.write(end, from: UserVectors(pieces: vectors))
    }
    let file = try descriptors.file(call.a0)
    if case .input = file { throw .EBADF }
    if case .generated = file { throw .EINVAL }  // /proc: no write operation
    if case .node(let open) = file, !open.writable { throw .EBADF }
    let vectors = try userVectors(at: call.a1, count: call.a2)
    if case .node(let open) = file { return try FileWriteCalls.writev(open, vectors) }
    var written: UInt64 = 0
    for (base, length) in vectors where length > 0 {
      let part: UInt64
      do { part = try writeConsole(from: base, count: length) } catch {
        if written == 0 { throw error }
        return written
      }
      written += part
      if part < length { return written }
    }
    return written
  }

  /// The `struct iovec` array of `readv`/`writev`, as Linux's `import_iovec`: at most IOV_MAX
  /// (EINVAL), the array readable (EFAULT), no negative length (EINVAL, before any range
  /// check), every base passing the range check (EFAULT, even for length 0).
  static func userVectors(at address: UInt64, count: UInt64) throws(LinuxErrno) -> [(
    base: UInt64, length: UInt64
  )] {
    guard count <= maximumVectors else { throw .EINVAL }
    var vectors: [(base: UInt64, length: UInt64)] = []
    for index in 0..<count {
      let entry = address &+ index * UInt64(vectorSize)
      guard UserPointer.isValid(address, length: (index + 1) * UInt64(vectorSize)) else {
        throw .EFAULT
      }
      vectors.append((try UserMemory.readWord(at: entry), try UserMemory.readWord(at: entry + 8)))
    }
    for (_, length) in vectors where Int64(bitPattern: length) < 0 { throw .EINVAL }
    for (base, length) in vectors where !UserPointer.passesAccessCheck(base, length: length) {
      throw .EFAULT
    }
    return vectors
  }

  /// `lseek`: root-file-system files move (FileReadCalls); the console and stdin (a pipe's
  /// part) are not seekable.
  static func lseek(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    if case .generated(let file) = try descriptors.file(call.a0) {
      return try file.seek(call.a1, whence: call.a2)
    }
    guard case .node(let open) = try descriptors.file(call.a0) else { throw .ESPIPE }
    return try FileReadCalls.lseek(open, offset: call.a1, whence: call.a2)
  }

  static func close(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try descriptors.close(call.a0)
    return 0
  }

  static func dup(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try descriptors.duplicate(call.a0, limit: descriptorLimit)
  }

  /// `dup2(old, new)`: `new` when `old == new` and it is open.
  static func dup2(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    if call.a0 == call.a1 {
      _ = try descriptors.file(call.a0)
      return call.a1
    }
    return try descriptors.duplicate(call.a0, to: call.a1, limit: descriptorLimit)
  }

  /// `dup3(old, new, flags)`: only `O_CLOEXEC`; `old == new` is EINVAL.
  static func dup3(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a2 & ~DescriptorTable.closeOnExecFlag == 0, call.a0 != call.a1 else {
      throw .EINVAL
    }
    return try descriptors.duplicate(
      call.a0, to: call.a1, limit: descriptorLimit, closeOnExec: call.a2 != 0)
  }

  static func fcntl(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let file = try descriptors.file(call.a0)
    switch call.a1 {
    case duplicateCommand, duplicateCloseOnExecCommand:
      return try descriptors.duplicate(
        call.a0, lowest: call.a2, limit: descriptorLimit,
        closeOnExec: call.a1 == duplicateCloseOnExecCommand)
    case getDescriptorFlags:
      return try descriptors.closeOnExec(call.a0) ? DescriptorTable.descriptorCloseOnExec : 0
    case setDescriptorFlags:
      try descriptors.setCloseOnExec(
        call.a0, call.a2 & DescriptorTable.descriptorCloseOnExec != 0)
      return 0
    case getStatusFlags:
      if case .node(let open) = file { return open.statusFlags }
      if case .pipe(let end) = file { return end.statusFlags }
      if file == .console, ConsoleTerminal.active != nil { return ConsoleTerminal.statusFlags }
      return file == .console ? writeOnly : readOnly
    case setStatusFlags:
      // O_APPEND and O_NONBLOCK change (Linux's `setfl` also takes O_DIRECT, O_NOATIME,
      // which mean nothing on these files).
      if case .pipe(let end) = file { end.nonBlocking = call.a2 & OpenFlags.nonBlocking != 0 }
      ConsoleTerminal.of(file)?.nonBlocking = call.a2 & OpenFlags.nonBlocking != 0
      if case .node(let open) = file {
        let changeable = OpenFlags.append | OpenFlags.nonBlocking
        open.statusFlags = open.statusFlags & ~changeable | call.a2 & changeable
      }
      return 0
    case getLock, setLock, setLockWait, openFileDescriptionGetLock, openFileDescriptionSetLock,
      openFileDescriptionSetLockWait:
      // Record locks: one process at a time owns the machine's files here, and nothing
      // checks locks, so every lock is granted (F_GETLK answers F_UNLCK: nobody holds one).
      return try FileLocks.answer(call, file: file)
    default: throw .EINVAL
    }
  }

  /// `ioctl`: the console is a terminal when the kernel was booted with one
  /// (`ConsoleTerminal`, `TerminalControl`); nothing else is (`TCGETS`, `TIOCGWINSZ` → ENOTTY).
  static func ioctl(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let file = try descriptors.file(call.a0)
    if let terminal = ConsoleTerminal.of(file) {
      return try TerminalControl.ioctl(terminal, request: call.a1, argument: call.a2)
    }
    throw .ENOTTY
  }
}
