/// What an open file descriptor refers to. There is no file system: only the two things a
/// process starts with.
enum OpenFile: Equatable {
  /// Standard input: read-only, always at end of file.
  case emptyInput
  /// The serial console: write-only for programs (reads see end of file).
  case console
}

/// A process's file descriptors: 0 (empty stdin), 1 and 2 (the console) at start; `dup`,
/// `dup2`, `dup3`, `fcntl(F_DUPFD)` and `close` change the table as on Linux.
///
/// Every allocating call takes `limit`, the process's soft `RLIMIT_NOFILE`: descriptors are
/// numbered below it.
struct DescriptorTable {
  /// Linux's first descriptor table holds `NR_OPEN_DEFAULT` (64) descriptors; it grows to
  /// power-of-two multiples of 1024 / sizeof(pointer) = 128 (fs/file.c, `alloc_fdtable`).
  static let initialCapacity = 64
  static let growthUnit = 128
  /// `O_CLOEXEC` / `FD_CLOEXEC`: accepted and remembered per descriptor (there is no exec).
  static let closeOnExecFlag: UInt64 = 0x80000
  static let descriptorCloseOnExec: UInt64 = 1

  private var entries: [(file: OpenFile, closeOnExec: Bool)?] = [
    (.emptyInput, false), (.console, false), (.console, false),
  ]

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
