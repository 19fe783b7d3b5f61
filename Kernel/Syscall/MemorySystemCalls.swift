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
        length: request.length, protection: request.protection, kind: .anonymous,
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
      let (range, protection) = try MemoryCalls.decodeProtect(
        address: call.a0, length: call.a1, protection: call.a2)
    else { return 0 }
    try perform { (space) throws(AddressSpaceError) in
      try space.protect(
        start: range.start, length: range.length, protection: protection,
        commit: &ProcessRunner.commit)
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
    case .discard(let range):
      try perform { (space) throws(AddressSpaceError) in
        try space.discard(range, frames: &ProcessRunner.frames)
      }
    case .accept(let range):
      guard MemoryManager.currentAddressSpace!.isReserved(range) else { throw .ENOMEM }
    }
    return 0
  }
}

/// `mremap`: shrink in place, grow in place when the pages after the mapping are free, else move
/// (with `MREMAP_MAYMOVE`) by reserving the new range, moving the backed frames there
/// (`AddressSpace.moveBacking`), and releasing the old range.
enum RemapCall {
  static func mremap(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let request = try MemoryCalls.decodeRemap(
      address: call.a0, oldLength: call.a1, newLength: call.a2, flags: call.a3,
      newAddress: call.a4)
    guard let region = MemoryManager.currentAddressSpace!.region(containing: request.address),
      region.kind != .guardPage, region.range.end - request.address >= request.oldLength
    else { throw .EFAULT }
    if request.fixedAddress == nil {
      if request.newLength <= request.oldLength {
        try shrink(request)
        return request.address
      }
      if try growInPlace(request, region: region) { return request.address }
      guard request.mayMove else { throw .ENOMEM }
    }
    return try move(request, region: region)
  }

  static func shrink(_ request: RemapRequest) throws(LinuxErrno) {
    guard request.newLength < request.oldLength else { return }
    try MemorySystemCalls.perform { (space) throws(AddressSpaceError) in
      try space.release(
        start: request.address + request.newLength,
        length: request.oldLength - request.newLength, commit: &ProcessRunner.commit,
        frames: &ProcessRunner.frames)
    }
  }

  /// Extends the mapping when it ends its region and the pages after it are free.
  static func growInPlace(_ request: RemapRequest, region: Region) throws(LinuxErrno) -> Bool {
    let oldEnd = request.address + request.oldLength
    guard oldEnd == region.range.end else { return false }
    let grown = try? MemorySystemCalls.perform { (space) throws(AddressSpaceError) in
      try space.reserve(
        length: request.newLength - request.oldLength, protection: region.protection,
        kind: region.kind == .stack ? .anonymous : region.kind, at: .fixedNoReplace(oldEnd),
        commit: &ProcessRunner.commit, frames: &ProcessRunner.frames)
    }
    return grown != nil
  }

  /// Reserves the new range with the old protection, moves the backed pages there through
  /// the core (frames change address; nothing is copied), and releases the old range.
  static func move(_ request: RemapRequest, region: Region) throws(LinuxErrno) -> UInt64 {
    try MemorySystemCalls.perform { (space) throws(AddressSpaceError) in
      try space.checkRegionLimitForMove()
    }
    let placement: Placement = request.fixedAddress.map { .fixed($0) } ?? .anywhere
    let target = try MemorySystemCalls.perform { (space) throws(AddressSpaceError) in
      try space.reserve(
        length: request.newLength, protection: region.protection, kind: .anonymous,
        at: placement, commit: &ProcessRunner.commit, frames: &ProcessRunner.frames)
    }
    let kept = min(request.oldLength, request.newLength)
    try MemorySystemCalls.perform { (space) throws(AddressSpaceError) in
      try space.moveBacking(
        from: VirtualRange(uncheckedStart: request.address, end: request.address + kept),
        to: target.start, frames: &ProcessRunner.frames)
      try space.release(
        start: request.address, length: request.oldLength, commit: &ProcessRunner.commit,
        frames: &ProcessRunner.frames)
    }
    return target.start
  }

}
