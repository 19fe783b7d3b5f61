/// argv and envp of `execve`, copied from user memory as Linux's `copy_strings` does: each is
/// an array of string pointers ended by NULL (a NULL array is empty), every pointer and string
/// must be readable (EFAULT), each string at most `MAX_ARG_STRLEN` with its NUL and all of
/// them within `ArgumentLimits.total` (E2BIG). The running total is checked as strings come
/// in, so a hostile program cannot make the kernel copy more than that limit. An empty argv
/// gets one empty string (Linux 6.1, so that argv[0] exists).
struct ExecArguments {
  var arguments: [[UInt8]]
  var environment: [[UInt8]]

  static let pointerSize: UInt64 = 8

  static func copy(arguments: UInt64, environment: UInt64, fileName: [UInt8])
    throws(LinuxErrno) -> ExecArguments
  {
    let process = ProcessRunner.current!
    let stackLimit =
      (try? process.limits.limit(ResourceLimits.Resource.stack).soft)
      ?? ArgumentLimits.defaultStackLimit
    let limit = ArgumentLimits.total(stackLimit: stackLimit)
    let argumentPointers = try pointers(at: arguments, limit: limit)
    let environmentPointers = try pointers(at: environment, limit: limit)
    let pointerBytes =
      UInt64(max(argumentPointers.count, 1) + environmentPointers.count) * pointerSize
    guard pointerBytes < limit else { throw .E2BIG }
    var budget = limit - pointerBytes
    try take(UInt64(fileName.count + 1), from: &budget)
    var copied = ExecArguments(arguments: [], environment: [])
    for pointer in environmentPointers {
      copied.environment.append(try string(at: pointer, budget: &budget))
    }
    for pointer in argumentPointers {
      copied.arguments.append(try string(at: pointer, budget: &budget))
    }
    if copied.arguments.isEmpty { copied.arguments = [[]] }
    return copied
  }

  /// The pointers of a NULL-terminated array (`count()`): stops with E2BIG once they alone
  /// exceed `limit`.
  static func pointers(at address: UInt64, limit: UInt64) throws(LinuxErrno) -> [UInt64] {
    guard address != 0 else { return [] }
    var result: [UInt64] = []
    while true {
      let pointer = try UserMemory.readWord(
        at: address &+ UInt64(result.count) * pointerSize)
      if pointer == 0 { return result }
      result.append(pointer)
      guard UInt64(result.count) * pointerSize < limit,
        result.count < ArgumentLimits.maximumStrings
      else { throw .E2BIG }
    }
  }

  /// One string (without its NUL), read a page at a time.
  static func string(at address: UInt64, budget: inout UInt64) throws(LinuxErrno) -> [UInt8] {
    var bytes: [UInt8] = []
    let page = PageSize.size4KiB.bytes
    while true {
      let cursor = address &+ UInt64(bytes.count)
      let room = ArgumentLimits.maximumStringLength - bytes.count
      let chunk = Int(min(page - cursor % page, UInt64(room)))
      guard chunk > 0 else { throw .E2BIG }
      try UserMemory.copyIn(from: cursor, count: chunk, to: UserMemory.bounce)
      let read = UnsafeRawBufferPointer(start: UserMemory.bounce, count: chunk)
      if let end = read.firstIndex(of: 0) {
        bytes += read[0..<end]
        try take(UInt64(bytes.count + 1), from: &budget)
        return bytes
      }
      bytes += read
      guard UInt64(bytes.count) < budget else { throw .E2BIG }
    }
  }

  static func take(_ bytes: UInt64, from budget: inout UInt64) throws(LinuxErrno) {
    guard bytes <= budget else { throw .E2BIG }
    budget -= bytes
  }
}
