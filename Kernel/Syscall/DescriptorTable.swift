/// What an open file descriptor refers to: standard input, the console, a file of the
/// read-only root file system (Kernel/FileSystem), or one end of a pipe (Kernel/Pipe).
enum OpenFile: Equatable {
  /// Standard input: the launch record's bytes (empty without one), then end of file.
  case input(InputStream)
  /// The serial console (also `/dev/console`): write-only for programs (reads see end of file).
  case console
  /// A root-file-system file, directory or device, with its offset.
  case node(OpenNode)
  /// A pipe's read or write end.
  case pipe(PipeEnd)
  /// A /proc file or directory: bytes made at open (Kernel/Proc).
  case generated(GeneratedFile)

  /// The same open file (descriptions compare by identity, as two `open`s are two files).
  static func == (left: OpenFile, right: OpenFile) -> Bool {
    switch (left, right) {
    case (.input(let a), .input(let b)): return a === b
    case (.console, .console): return true
    case (.node(let a), .node(let b)): return a === b
    case (.pipe(let a), .pipe(let b)): return a === b
    case (.generated(let a), .generated(let b)): return a === b
    default: return false
    }
  }
}

/// A process's file descriptors: 0 (stdin), 1 and 2 (the console) at start; `dup`,
/// `dup2`, `dup3`, `fcntl(F_DUPFD)` and `close` change the table as on Linux.
///
/// Every allocating call takes `limit`, the process's soft `RLIMIT_NOFILE`: descriptors are
/// numbered below it.
struct DescriptorTable {
  /// Linux's first descriptor table holds `NR_OPEN_DEFAULT` (64) descriptors; it grows to
  /// power-of-two multiples of 1024 / sizeof(pointer) = 128 (fs/file.c, `alloc_fdtable`).
  static let initialCapacity = 64
  static let growthUnit = 128
  /// `O_CLOEXEC` / `FD_CLOEXEC`: remembered per descriptor; `execve` closes those that have it.
  static let closeOnExecFlag: UInt64 = 0x80000
  static let descriptorCloseOnExec: UInt64 = 1

  private var entries: [(file: OpenFile, closeOnExec: Bool)?]

  /// Descriptors 0, 1, 2: `input`, then the console twice.
  init(input: InputStream = InputStream.empty()) {
    entries = [(.input(input), false), (.console, false), (.console, false)]
  }

  /// `open`: `file` at the lowest free descriptor below `limit` (EMFILE when none is).
  mutating func install(_ file: OpenFile, limit: UInt64, closeOnExec: Bool) throws(LinuxErrno)
    -> UInt64
  {
    let target = try lowestFree(limit: limit)
    place((file, closeOnExec), at: target)
    return UInt64(target)
  }

  /// The file behind `descriptor`, or EBADF.
  func file(_ descriptor: UInt64) throws(LinuxErrno) -> OpenFile {
    guard let index = Self.index(descriptor), index < entries.count, let entry = entries[index]
    else { throw .EBADF }
    return entry.file
  }

  mutating func close(_ descriptor: UInt64) throws(LinuxErrno) {
    _ = try file(descriptor)
    entries[Self.index(descriptor)!] = nil
  }

  /// `dup` / `F_DUPFD`: the lowest free descriptor at or above `lowest`; EINVAL when `lowest`
  /// is not below `limit`, EMFILE when no descriptor below it is free.
  mutating func duplicate(
    _ descriptor: UInt64, lowest: UInt64 = 0, limit: UInt64, closeOnExec: Bool = false
  ) throws(LinuxErrno) -> UInt64 {
    let source = try file(descriptor)
    guard lowest < limit else { throw .EINVAL }
    let target = try lowestFree(from: Int(lowest), limit: limit)
    place((source, closeOnExec), at: target)
    return UInt64(target)
  }

  /// The lowest free descriptor at or above `start` and below `limit`, or EMFILE (what
  /// `open` would get).
  func lowestFree(from start: Int = 0, limit: UInt64) throws(LinuxErrno) -> Int {
    var target = start
    while target < entries.count, entries[target] != nil { target += 1 }
    guard UInt64(target) < limit else { throw .EMFILE }
    return target
  }

  /// Linux's `max_fds`: how many descriptors its table would hold now (it never shrinks).
  /// `select` ignores the bits above it.
  var capacity: Int {
    guard entries.count > Self.initialCapacity else { return Self.initialCapacity }
    var capacity = Self.growthUnit
    while capacity < entries.count { capacity *= 2 }
    return capacity
  }

  /// `dup2` / `dup3`: `target` becomes a copy of `descriptor`, closing what was there; EBADF
  /// when `target` is not below `limit`.
  mutating func duplicate(
    _ descriptor: UInt64, to target: UInt64, limit: UInt64, closeOnExec: Bool = false
  ) throws(LinuxErrno) -> UInt64 {
    let source = try file(descriptor)
    guard let index = Self.index(target), UInt64(index) < limit else { throw .EBADF }
    place((source, closeOnExec), at: index)
    return target
  }

  /// `FD_CLOEXEC` of `descriptor`.
  func closeOnExec(_ descriptor: UInt64) throws(LinuxErrno) -> Bool {
    _ = try file(descriptor)
    return entries[Self.index(descriptor)!]!.closeOnExec
  }

  mutating func setCloseOnExec(_ descriptor: UInt64, _ value: Bool) throws(LinuxErrno) {
    let source = try file(descriptor)
    entries[Self.index(descriptor)!] = (source, value)
  }

  /// The open descriptors in ascending order (/proc/PID/fd).
  var openDescriptors: [UInt64] {
    entries.indices.compactMap { entries[$0] == nil ? nil : UInt64($0) }
  }

  /// `execve`'s `do_close_on_exec`: every descriptor marked close-on-exec is closed.
  mutating func closeOnExecDescriptors() {
    for index in entries.indices where entries[index]?.closeOnExec == true {
      entries[index] = nil
    }
  }

  private mutating func place(_ entry: (file: OpenFile, closeOnExec: Bool), at index: Int) {
    while entries.count <= index { entries.append(nil) }
    entries[index] = entry
  }

  /// A descriptor argument as an index: system calls take an `int`, so negative is EBADF.
  private static func index(_ descriptor: UInt64) -> Int? {
    let value = Int32(truncatingIfNeeded: descriptor)
    return value >= 0 ? Int(value) : nil
  }
}
