/// The memory calls: LinuxABI decodes the arguments with Linux's errno rules, the core's
/// `AddressSpace` does the work (policy lives there), and its errors map to errno.
enum MemorySystemCalls {
  /// The calling process's address space.
  static var space: ProcessAddressSpace { Processor.current.process!.addressSpace! }

  /// Runs an address-space operation on the calling process's space, turning its error into
  /// the errno Linux returns.
  static func perform<T>(
    _ body: (ProcessAddressSpace) throws(AddressSpaceError) -> T
  ) throws(LinuxErrno) -> T {
    do throws(AddressSpaceError) {
      return try body(space)
    } catch {
      throw LinuxErrno(error.errno)
    }
  }

  static func mmap(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let open =
      call.a3 & MemoryFlags.mapAnonymous == 0 ? try? FileCalls.descriptors.file(call.a4) : nil
    let request = try MemoryCalls.decodeMap(
      address: call.a0, length: call.a1, protection: call.a2, flags: call.a3,
      fileDescriptor: call.a4, offset: call.a5, descriptorIsOpen: open != nil)
    if let file = request.file, let open { return try FileMapping.map(request, file, open) }
    let range = try perform { (space) throws(AddressSpaceError) in
      try space.reserve(
        length: request.length, protection: request.protection, kind: request.kind,
        at: request.placement)
    }
    return range.start
  }

  static func munmap(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let range = try MemoryCalls.decodeUnmap(address: call.a0, length: call.a1)
    try perform { (space) throws(AddressSpaceError) in
      try space.release(
        start: range.start, length: range.length)
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
        protection: request.protection, growth: request.growth)
    }
    return 0
  }

  /// `brk` with the raw system call's semantics: the new break, or the old one when the
  /// request is refused (below the heap's start, overlapping a mapping, or out of commit).
  static func brk(_ call: SystemCallArguments) -> UInt64 {
    if call.a0 != 0 {
      _ = try? perform { (space) throws(AddressSpaceError) in
        try space.setBreak(
          to: call.a0)
      }
    }
    return space.heapBreak
  }

  static func madvise(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    switch try MemoryCalls.decodeAdvice(address: call.a0, length: call.a1, advice: call.a2) {
    case .nothing: return 0
    case .advise(let range, let advice):
      try perform { (space) throws(AddressSpaceError) in
        try space.advise(range, advice)
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
        placement: request.placement)
    }
  }
}
