/// The file calls over the process's `DescriptorTable`: an empty stdin and the serial console
/// (fds 0, 1, 2 at start, and their duplicates).
enum FileCalls {
  /// `IOV_MAX`.
  static let maximumVectors: UInt64 = 1024
  /// `sizeof(struct iovec)`.
  static let vectorSize = 16
  /// `sizeof(struct stat)` on x86-64, and where `st_mode` and `st_blksize` are.
  static let statSize = 144
  static let statModeOffset = 24
  static let statBlockSizeOffset = 56
  /// `S_IFCHR | 0620`: a character device, as a terminal's descriptors are.
  static let characterDeviceMode: UInt32 = 0o020620
  /// `AT_EMPTY_PATH`.
  static let emptyPathFlag: UInt64 = 0x1000

  /// `fcntl` commands.
  static let duplicateCommand: UInt64 = 0  // F_DUPFD
  static let getDescriptorFlags: UInt64 = 1  // F_GETFD
  static let setDescriptorFlags: UInt64 = 2  // F_SETFD
  static let getStatusFlags: UInt64 = 3  // F_GETFL
  static let setStatusFlags: UInt64 = 4  // F_SETFL
  static let duplicateCloseOnExecCommand: UInt64 = 1030  // F_DUPFD_CLOEXEC
  /// `O_RDONLY`, `O_WRONLY` (what F_GETFL reports for stdin and the console).
  static let readOnly: UInt64 = 0
  static let writeOnly: UInt64 = 1

  static var descriptors: DescriptorTable {
    get { ProcessRunner.current!.descriptors }
    set { ProcessRunner.current!.descriptors = newValue }
  }

  /// The soft `RLIMIT_NOFILE`: descriptors are numbered below it.
  static var descriptorLimit: UInt64 { ProcessRunner.current!.limits.openFiles }

  /// The console behind a descriptor that may be written, else EBADF.
  static func writable(_ descriptor: UInt64) throws(LinuxErrno) {
    guard try descriptors.file(descriptor) == .console else { throw .EBADF }
  }

  /// `read`: stdin is empty (end of file at once). The buffer passes the range check first.
  static func read(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    _ = try descriptors.file(call.a0)
    guard UserPointer.passesAccessCheck(call.a1, length: call.a2) else { throw .EFAULT }
    return 0
  }

  /// `write` to stdout or stderr: the console.
  static func write(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try writable(call.a0)
    return try writeConsole(from: call.a1, count: call.a2)
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
      ProcessConsole.writeProgramOutput(
        UnsafeRawBufferPointer(start: UserMemory.bounce, count: chunk))
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
    try writable(call.a0)
    guard call.a2 <= maximumVectors else { throw .EINVAL }
    var vectors: [(UInt64, UInt64)] = []
    for index in 0..<call.a2 {
      let entry = call.a1 &+ index * UInt64(vectorSize)
      guard UserPointer.isValid(call.a1, length: (index + 1) * UInt64(vectorSize)) else {
        throw .EFAULT
      }
      vectors.append((try UserMemory.readWord(at: entry), try UserMemory.readWord(at: entry + 8)))
    }
    // A negative length anywhere is EINVAL before any range check (`copy_iovec_from_user`).
    for (_, length) in vectors where Int64(bitPattern: length) < 0 { throw .EINVAL }
    for (base, length) in vectors where !UserPointer.passesAccessCheck(base, length: length) {
      throw .EFAULT
    }
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

  /// `lseek`: the console and the empty stdin are not seekable.
  static func lseek(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    _ = try descriptors.file(call.a0)
    throw .ESPIPE
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
    case getStatusFlags: return file == .console ? writeOnly : readOnly
    case setStatusFlags: return 0
    default: throw .EINVAL
    }
  }

  /// `ioctl`: no descriptor is a terminal (`TCGETS`, `TIOCGWINSZ` → ENOTTY).
  static func ioctl(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    _ = try descriptors.file(call.a0)
    throw .ENOTTY
  }

  static func fstat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    _ = try descriptors.file(call.a0)
    try writeCharacterDeviceStat(to: call.a1)
    return 0
  }

  /// `newfstatat(fd, "", buf, AT_EMPTY_PATH)` is glibc's fstat; there are no paths.
  static func newfstatat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a3 & emptyPathFlag != 0 else { throw try missingPath(call.a1) }
    _ = try descriptors.file(call.a0)
    try writeCharacterDeviceStat(to: call.a2)
    return 0
  }

  /// `getcwd`: the only directory is "/".
  static func getcwd(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let root: [UInt8] = [UInt8(ascii: "/"), 0]
    guard call.a1 >= UInt64(root.count) else { throw .ERANGE }
    try UserMemory.copyOut(root, to: call.a0)
    return UInt64(root.count)
  }

  /// `open` / `openat` of `path`: Linux reads the path (EFAULT), then takes a descriptor
  /// (EMFILE when none is free below the limit), then looks the path up (ENOENT: there are no
  /// files).
  static func open(path: UInt64) throws(LinuxErrno) -> LinuxErrno {
    let missing = try missingPath(path)
    _ = try descriptors.lowestFree(limit: descriptorLimit)
    return missing
  }

  /// The answer for a path in a kernel without a file system: EFAULT when the path cannot be
  /// read (Linux reads it first), else ENOENT.
  static func missingPath(_ address: UInt64) throws(LinuxErrno) -> LinuxErrno {
    try UserMemory.copyIn(from: address, count: 1, to: UserMemory.bounce)
    return .ENOENT
  }

  static func writeCharacterDeviceStat(to address: UInt64) throws(LinuxErrno) {
    var image = [UInt8](repeating: 0, count: statSize)
    for byte in 0..<4 {
      image[statModeOffset + byte] = UInt8(truncatingIfNeeded: characterDeviceMode >> (8 * byte))
    }
    for (offset, byte) in LinuxStructures.littleEndian(PageSize.size4KiB.bytes).enumerated() {
      image[statBlockSizeOffset + offset] = byte
    }
    try UserMemory.copyOut(image, to: address)
  }
}
