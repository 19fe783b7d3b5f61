import KernelMemory
import KernelMemoryEmulation
import Testing

/// Many address spaces on one physical-memory context: seeded random reserve / release /
/// protect / mremap / MADV_DONTNEED / touch steps on three spaces, checked every few steps
/// against the truth the page tables hold — each frame's map count equals the leaf entries
/// that reach it across all spaces (the zero page excepted: pinned, shared, never counted),
/// every frame no one maps reads `.unused`, and the ledger holds exactly the spaces' charges.
/// Torn down, frames and commit are back at the baseline exactly.
///
/// Without fork the spaces share no frames yet; what this pins down is that accounting is the
/// context's, not any one space's (a count kept per space, or a frame freed while another
/// space's leaf still counted, fails here).
@Suite struct SharedContextModelTests {
  static let page = PageSize.size4KiB.bytes
  /// 512 pages around a 2 MiB boundary in each space (tables are created and reclaimed).
  static let arenaStart: UInt64 = 0x4000_0000 - 256 * page
  static let arenaPages: UInt64 = 512
  static let spaceCount = 3
  static let steps = 20_000
  static let checkEvery = 50

  static let protections: [Protection] = [.none, .read, [.read, .write]]

  static func address(ofPage index: UInt64) -> UInt64 { arenaStart + index * page }

  @Test(arguments: [UInt64(11), 12])
  func mapCountsMatchTheTablesAcrossSpaces(seed: UInt64) throws {
    var random = SplitMix64(seed: seed)
    let machine = TestMachine(megabytes: 16)
    var spaces: [(space: TestMachine.Space, mmu: SoftwareMMU)] = [(machine.space, machine.mmu)]
    for _ in 1..<Self.spaceCount { spaces.append(machine.makeSpace()) }
    for step in 0..<Self.steps {
      let (space, mmu) = spaces[Int(random.next() % UInt64(spaces.count))]
      let first = random.next() % Self.arenaPages
      let count = 1 + random.next() % min(32, Self.arenaPages - first)
      let start = Self.address(ofPage: first)
      let length = count * Self.page
      let protection = Self.protections[Int(random.next() % UInt64(Self.protections.count))]
      switch random.next() % 12 {
      case 0: _ = try? space.reserve(length: length, protection: protection, at: .fixed(start))
      case 1: try space.release(start: start, length: length)
      case 2: _ = try? space.protect(start: start, length: length, protection: protection)
      case 3:
        let target = Self.address(ofPage: random.next() % Self.arenaPages)
        _ = try? space.remap(
          start: start, oldLength: length, newLength: length, placement: .fixed(target))
      case 4:
        _ = try? space.discard(VirtualRange(start: start, length: length))
      default:
        let access: AccessKind = random.next() % 2 == 0 ? .read : .write
        Self.touch(space, mmu, start, access)
      }
      if step % Self.checkEvery == 0 { Self.checkCounts(machine, spaces.map { $0.space }) }
    }
    Self.checkCounts(machine, spaces.map { $0.space })
    for (space, _) in spaces.dropFirst() { space.tearDown() }
    #expect(machine.tearDownIsClean())
    let table = machine.physical.frameTable
    for number in TestMachine.firstPoolFrame..<machine.ram.frameCount {
      let frame = PhysicalFrame(number: number)
      guard frame != machine.zeroPage else { continue }
      #expect(table[frame] == .unused, "frame \(number) after tear-down: \(table[frame])")
    }
  }

  /// An access by the process of `space`: through its MMU, faults answered by its policy.
  static func touch(
    _ space: TestMachine.Space, _ mmu: SoftwareMMU, _ address: UInt64, _ access: AccessKind
  ) {
    let virtual = VirtualAddress(address)!
    for _ in 0..<3 {
      let fault: MMUFault? =
        access == .write
        ? mmu.write(1, at: virtual, mode: .user).fault : mmu.read(at: virtual, mode: .user).fault
      guard case .pageFault(_, let code)? = fault else { return }
      let errorCode = PageFaultErrorCode(rawValue: code.rawValue)
      let resolution = space.handlePageFault(
        PageFault(address: address, errorCode: errorCode, origin: .user))
      guard case .resolved = resolution else { return }
    }
  }

  /// The map counts against a census of every leaf in every space; the ledger against the
  /// spaces' charges.
  static func checkCounts(_ machine: TestMachine, _ spaces: [TestMachine.Space]) {
    var census: [PhysicalFrame: UInt32] = [:]
    let arena = VirtualRange(
      uncheckedStart: arenaStart, end: address(ofPage: arenaPages))
    for space in spaces {
      space.pageMap.forEachMapping(in: arena) { census[$0.frameAddress.frame, default: 0] += 1 }
    }
    let table = machine.physical.frameTable
    for number in TestMachine.firstPoolFrame..<machine.ram.frameCount {
      let frame = PhysicalFrame(number: number)
      let info = table[frame]
      if frame == machine.zeroPage {
        #expect(info.mapCount == 0 && info.state == [.shared, .pinned])
        continue
      }
      let leaves = census[frame] ?? 0
      #expect(info.mapCount == leaves, "frame \(number): count \(info.mapCount), \(leaves) leaves")
      #expect((info.mapCount == 0) == (info == .unused))
    }
    #expect(
      machine.commit.committed
        == spaces.reduce(0) { $0 + $1.committedFrames } + machine.physical.objects.totalCharge)
  }
}
