/// The memory calls: LinuxABI decodes the arguments with Linux's errno rules, the core's
/// `AddressSpace` does the work (policy lives there), and its errors map to errno.
enum MemorySystemCalls {
  /// Runs an address-space operation, turning its error into the errno Linux returns.
  static func perform<T>(
    _ body: (inout AddressSpace<DirectMap, HardwareTLB>) throws(AddressSpaceError) -> T
  ) throws(LinuxErrno) -> T {
    do throws(AddressSpaceError) {
      return try body(&MemoryManager.currentAddressSpace!)
    } catch {
      throw LinuxErrno(error.errno)
    }
  }

  static func mmap(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let request = try MemoryCalls.decodeMap(
      address: call.a0, length: call.a1, protection: call.a2, flags: call.a3,
      fileDescriptor: call.a4, offset: call.a5)
    let range = try perform { (space) throws(AddressSpaceError) in
      try space.reserve(
        length: request.length, protection: request.protection, kind: request.kind,
        at: request.placement, commit: &ProcessRunner.commit, frames: &ProcessRunner.frames)
    }
    return range.start
  }

  static func munmap(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let range = try MemoryCalls.decodeUnmap(address: call.a0, length: call.a1)
    try perform { (space) throws(AddressSpaceError) in
      try space.release(
        start: range.start, length: range.length, commit: &ProcessRunner.commit,
        frames: &ProcessRunner.frames)
    }
    return 0
  }

  static func mprotect(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard
      let request = try MemoryCalls.decodeProtect(
        address: call.a0, length: call.a1, protection: call.a2)
    else { return 0 }
    try perform { (space) throws(AddressSpaceError) in
      try space.protect(
        start: request.range.start, length: request.range.length,
        protection: request.protection, growth: request.growth, commit: &ProcessRunner.commit)
    }
    return 0
  }

  /// `brk` with the raw system call's semantics: the new break, or the old one when the
  /// request is refused (below the heap's start, overlapping a mapping, or out of commit).
  static func brk(_ call: SystemCallArguments) -> UInt64 {
    if call.a0 != 0 {
      _ = try? perform { (space) throws(AddressSpaceError) in
        try space.setBreak(
          to: call.a0, commit: &ProcessRunner.commit, frames: &ProcessRunner.frames)
      }
    }
    return MemoryManager.currentAddressSpace!.heapBreak
  }

  static func madvise(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    switch try MemoryCalls.decodeAdvice(address: call.a0, length: call.a1, advice: call.a2) {
    case .nothing: return 0
    case .advise(let range, let advice):
      try perform { (space) throws(AddressSpaceError) in
        try space.advise(range, advice, frames: &ProcessRunner.frames)
      }
    }
    return 0
  }
}

/// `mremap`: LinuxABI decodes the flags, the core's `AddressSpace.remap` shrinks, grows or
/// moves the mapping (its commit moving with its pages).
enum RemapCall {
  static func mremap(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let request = try MemoryCalls.decodeRemap(
      address: call.a0, oldLength: call.a1, newLength: call.a2, flags: call.a3,
      newAddress: call.a4)
    return try MemorySystemCalls.perform { (space) throws(AddressSpaceError) in
      try space.remap(
        start: request.address, oldLength: request.oldLength, newLength: request.newLength,
        placement: request.placement, commit: &ProcessRunner.commit,
        frames: &ProcessRunner.frames)
    }
  }
}
