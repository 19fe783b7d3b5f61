import KernelMemory
import LinuxABI
import Testing

@Suite struct MemoryCallTests {
  let anonymousPrivate = MemoryFlags.mapAnonymous | MemoryFlags.mapPrivate

  func map(
    _ address: UInt64, _ length: UInt64, _ flags: UInt64, offset: UInt64 = 0, fd: UInt64 = ~0
  )
    -> Result<MapRequest, LinuxErrno>
  {
    do {
      return .success(
        try MemoryCalls.decodeMap(
          address: address, length: length, protection: 3, flags: flags, fileDescriptor: fd,
          offset: offset))
    } catch { return .failure(error) }
  }

  func error(_ result: Result<MapRequest, LinuxErrno>) -> LinuxErrno? {
    if case .failure(let error) = result { return error }
    return nil
  }

  @Test func decodesAnonymousMaps() throws {
    let request = try map(0, 5000, anonymousPrivate).get()
    #expect(request.length == 8192)
    #expect(request.placement == .anywhere)
    #expect(request.protection == [.read, .write])
    #expect(try map(0x1234_5001, 1, anonymousPrivate).get().placement == .hint(0x1234_5000))
    #expect(
      try map(0x10_0000, 1, anonymousPrivate | MemoryFlags.mapFixed).get().placement
        == .fixed(0x10_0000))
    #expect(
      try map(0x10_0000, 1, anonymousPrivate | MemoryFlags.mapFixedNoReplace).get().placement
        == .fixedNoReplace(0x10_0000))
  }

  @Test func errnoFollowsLinux() {
    #expect(error(map(0, 0, anonymousPrivate)) == .EINVAL)
    #expect(error(map(0, 4096, MemoryFlags.mapAnonymous)) == .EINVAL)
    #expect(error(map(0, 4096, MemoryFlags.mapAnonymous | 0x0f)) == .EINVAL)
    #expect(error(map(0, 4096, anonymousPrivate, offset: 1)) == .EINVAL)
    #expect(error(map(0x1001, 4096, anonymousPrivate | MemoryFlags.mapFixed)) == .EINVAL)
    #expect(error(map(0, ~0, anonymousPrivate)) == .ENOMEM)
    #expect(error(map(0, 1 << 47, anonymousPrivate)) == .ENOMEM)
    #expect(
      error(map(0x7eff_ffff_f000, 0x2000, anonymousPrivate | MemoryFlags.mapFixed)) == .ENOMEM)
    #expect(error(map(0, 4096, MemoryFlags.mapPrivate)) == .EBADF)
    #expect(error(map(0, 4096, MemoryFlags.mapPrivate, fd: 1)) == .EBADF)
    #expect(
      error(map(0, 4096, MemoryFlags.mapAnonymous | MemoryFlags.mapSharedValidate | 1 << 30))
        == .EINVAL)
  }

  @Test func decodesUnmap() throws {
    #expect(try MemoryCalls.decodeUnmap(address: 0x1000, length: 1).end == 0x2000)
    #expect(throws: LinuxErrno.EINVAL) { try MemoryCalls.decodeUnmap(address: 0x1001, length: 1) }
    #expect(throws: LinuxErrno.EINVAL) { try MemoryCalls.decodeUnmap(address: 0x1000, length: 0) }
    #expect(throws: LinuxErrno.EINVAL) { try MemoryCalls.decodeUnmap(address: ~0xfff, length: 1) }
    #expect(throws: LinuxErrno.EINVAL) { try MemoryCalls.decodeUnmap(address: 0x1000, length: ~0) }
  }

  @Test func decodesProtect() throws {
    #expect(try MemoryCalls.decodeProtect(address: 0x10000, length: 0, protection: 1) == nil)
    #expect(
      try MemoryCalls.decodeProtect(address: 0x10000, length: 1, protection: 5)?.protection == [
        .read, .execute,
      ])
    #expect(throws: LinuxErrno.EINVAL) {
      try MemoryCalls.decodeProtect(address: 0x10001, length: 1, protection: 1)
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try MemoryCalls.decodeProtect(address: 0x10000, length: 1, protection: 0x10)
    }
    #expect(throws: LinuxErrno.ENOMEM) {
      try MemoryCalls.decodeProtect(address: 0x10000, length: ~0, protection: 1)
    }
  }

  /// Linux's order: both GROWS bits or misalignment first, then length 0, then unknown bits.
  @Test func decodesProtectGrowthInLinuxOrder() throws {
    let down = try MemoryCalls.decodeProtect(address: 0x10000, length: 1, protection: 0x0100_0001)
    #expect(down?.growth == .down && down?.protection == .read)
    let up = try MemoryCalls.decodeProtect(address: 0x10000, length: 1, protection: 0x0200_0000)
    #expect(up?.growth == .up && up?.protection == Protection.none)
    #expect(try MemoryCalls.decodeProtect(address: 0x10000, length: 0, protection: 0x10) == nil)
    #expect(throws: LinuxErrno.EINVAL) {
      try MemoryCalls.decodeProtect(address: 0x10000, length: 0, protection: 0x0300_0000)
    }
  }

  @Test func decodesSharedMappings() throws {
    let shared = try MemoryCalls.decodeMap(
      address: 0, length: 1, protection: 3, flags: 0x21, fileDescriptor: ~0, offset: 0)
    #expect(shared.kind == .sharedAnonymous)
    let privateMap = try MemoryCalls.decodeMap(
      address: 0, length: 1, protection: 3, flags: 0x22, fileDescriptor: ~0, offset: 0)
    #expect(privateMap.kind == .anonymous)
  }

  @Test func decodesEveryAdviceTheCoreActsOn() throws {
    let range = VirtualRange(uncheckedStart: 0x10000, end: 0x11000)
    let expected: [(UInt64, Advice)] = [
      (4, .dontNeed), (24, .dontNeed), (8, .free), (9, .remove), (22, .populate(.read)),
      (23, .populate(.write)), (18, .privateOnly), (19, .none), (25, .none),
    ]
    for (advice, meaning) in expected {
      #expect(
        try MemoryCalls.decodeAdvice(address: 0x10000, length: 1, advice: advice)
          == .advise(range, meaning))
    }
    for advice: UInt64 in [5, 6, 7, 26] {
      #expect(throws: LinuxErrno.EINVAL) {
        try MemoryCalls.decodeAdvice(address: 0x10000, length: 1, advice: advice)
      }
    }
  }

  @Test func decodesAdvice() throws {
    #expect(try MemoryCalls.decodeAdvice(address: 0x10000, length: 0, advice: 4) == .nothing)
    #expect(
      try MemoryCalls.decodeAdvice(address: 0x10000, length: 1, advice: 4)
        == .advise(VirtualRange(uncheckedStart: 0x10000, end: 0x11000), .dontNeed))
    #expect(
      try MemoryCalls.decodeAdvice(address: 0x10000, length: 1, advice: 15)
        == .advise(VirtualRange(uncheckedStart: 0x10000, end: 0x11000), .none))
    #expect(throws: LinuxErrno.EINVAL) {
      try MemoryCalls.decodeAdvice(address: 0x10000, length: 1, advice: 999)
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try MemoryCalls.decodeAdvice(address: 0x10001, length: 1, advice: 4)
    }
  }

  @Test func decodesRemap() throws {
    let grow = try MemoryCalls.decodeRemap(
      address: 0x10000, oldLength: 1, newLength: 5000, flags: 1, newAddress: 0)
    #expect(grow.oldLength == 4096 && grow.newLength == 8192 && grow.mayMove)
    #expect(grow.fixedAddress == nil)
    #expect(
      try MemoryCalls.decodeRemap(
        address: 0x10000, oldLength: 4096, newLength: 4096, flags: 3, newAddress: 0x20000
      ).fixedAddress == 0x20000)
    #expect(throws: LinuxErrno.EINVAL) {
      try MemoryCalls.decodeRemap(
        address: 0x10000, oldLength: 4096, newLength: 4096, flags: 2, newAddress: 0x20000)
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try MemoryCalls.decodeRemap(
        address: 0x10000, oldLength: 4096, newLength: 0, flags: 1, newAddress: 0)
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try MemoryCalls.decodeRemap(
        address: 0x10000, oldLength: 8192, newLength: 8192, flags: 3, newAddress: 0x11000)
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try MemoryCalls.decodeRemap(
        address: 0x10001, oldLength: 1, newLength: 1, flags: 0, newAddress: 0)
    }
  }

  @Test func userPointers() {
    #expect(UserPointer.isValid(0x1000, length: 10))
    #expect(UserPointer.isValid(0, length: 0))
    #expect(!UserPointer.isValid(UserLayout.end - 1, length: 2))
    #expect(!UserPointer.isValid(~0, length: 2))
    #expect(!UserPointer.isValid(0xffff_8000_0000_0000, length: 1))
  }

  @Test func structures() {
    let uts = LinuxStructures.utsname(
      system: "Linux", node: "n", release: "6.1.0", version: "#1", machine: "x86_64")
    #expect(uts.count == 390)
    #expect(uts[4 * 65] == UInt8(ascii: "x"))
    #expect(LinuxStructures.timespec(nanoseconds: 1_500_000_000)[0] == 1)
    #expect(LinuxStructures.rusage(minorFaults: 7, maximumResidentKiB: 0)[64] == 7)
    #expect(LinuxErrno.EFAULT.returnValue == UInt64(bitPattern: -14))
  }

  func mapFile(_ length: UInt64, _ flags: UInt64, offset: UInt64 = 0) -> Result<
    MapRequest, LinuxErrno
  > {
    do {
      return .success(
        try MemoryCalls.decodeMap(
          address: 0, length: length, protection: 1, flags: flags, fileDescriptor: 3,
          offset: offset, descriptorIsOpen: true))
    } catch { return .failure(error) }
  }

  /// A file mapping's own checks, in Linux's order (`ksys_mmap_pgoff`, `do_mmap`).
  @Test func decodesFileMappingsWithLinuxsErrno() throws {
    let request = try mapFile(5000, MemoryFlags.mapShared, offset: 0x3000).get()
    #expect(request.length == 8192)
    #expect(request.file == MappedFile(descriptor: 3, page: 3, shared: true, growsDown: false))
    #expect(try mapFile(1, MemoryFlags.mapPrivate).get().file?.shared == false)
    #expect(error(mapFile(1, MemoryFlags.mapPrivate, offset: 0x10)) == .EINVAL)
    #expect(error(mapFile(0, MemoryFlags.mapPrivate)) == .EINVAL)
    #expect(error(mapFile(1, MemoryFlags.mapPrivate | MemoryFlags.mapHugeTLB)) == .EINVAL)
    #expect(error(mapFile(~0, MemoryFlags.mapPrivate)) == .ENOMEM)
    #expect(error(mapFile(0x2000, MemoryFlags.mapPrivate, offset: ~0xfff)) == .EOVERFLOW)
    #expect(error(mapFile(1, 0)) == .EINVAL)
    #expect(error(mapFile(1, 0x0f)) == .EINVAL)
    #expect(error(mapFile(1, MemoryFlags.mapSharedValidate | MemoryFlags.mapSync)) == .EOPNOTSUPP)
    #expect(try mapFile(1, MemoryFlags.mapShared | MemoryFlags.mapSync).get().file?.shared == true)
    #expect(try mapFile(1, MemoryFlags.mapSharedValidate).get().file?.shared == true)
  }
}
