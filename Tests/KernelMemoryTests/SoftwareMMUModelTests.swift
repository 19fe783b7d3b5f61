import KernelMemory
import KernelMemoryEmulation
import Testing

/// A long random run of remaps, unmaps, invalidations and accesses, checking the TLB against an
/// MMU with an empty TLB: once every changed page is invalidated, the two must agree exactly, and
/// only changed-but-not-invalidated pages may ever be reported stale.
@Suite struct SoftwareMMUModelTests {
  /// SplitMix64: a tiny deterministic generator, so a failure reproduces.
  struct SplitMix {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
      state &+= 0x9e37_79b9_7f4a_7c15
      var z = state
      z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
      z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
      return Int((z ^ (z >> 31)) % UInt64(bound))
    }
  }

  static let base: UInt64 = 0x40_0000
  static let pageCount = 48
  static let steps = 4000
  static let leafFlags: [PageTableFlags] = [
    [.present, .writable, .user], [.present, .user], [.present, .writable],
    [.present, .user, .noExecute], [.present, .writable, .global],
  ]
  static let accesses: [MMUAccess] = [
    .userRead, .userWrite, .userExecute, .supervisorRead, .supervisorWrite, .supervisorExecute,
    .supervisorWrite.overridingSMAP,
  ]

  static func address(_ page: Int) -> UInt64 { base + UInt64(page) * PageSize.size4KiB.bytes }

  @Test func cachedTranslationsMatchFreshWalksOnceInvalidated() {
    let tables = HandBuiltTables()
    for page in 0..<Self.pageCount {
      tables.map(Self.address(page), to: HandBuiltTables.dataFrame(0))
    }
    var random = SplitMix(state: 0x5eed)
    var changed: Set<Int> = []
    for _ in 0..<Self.steps {
      let page = random.next(Self.pageCount)
      switch random.next(6) {
      case 0:
        let frame = HandBuiltTables.dataFrame(UInt64(random.next(8)))
        let flags = Self.leafFlags[random.next(Self.leafFlags.count)]
        tables.modify(Self.address(page), at: .pageTable) {
          $0 = PageTableEntry(frame: frame, flags: flags)
        }
        changed.insert(page)
      case 1:
        tables.modify(Self.address(page), at: .pageTable) { $0 = .empty }
        changed.insert(page)
      case 2:
        tables.mmu.invalidate(VirtualAddress(canonical: Self.address(page)))
        changed.remove(page)
      default:
        let access = Self.accesses[random.next(Self.accesses.count)]
        checkAccess(tables, page: page, access, mayBeStale: changed.contains(page))
      }
      if random.next(200) == 0 { flushAll(tables, &changed) }
      let stale = Set(tables.mmu.staleEntries().map { Int(($0.value - Self.base) >> 12) })
      #expect(stale.isSubset(of: changed))
    }
  }

  /// A CR3 reload forgets only non-global pages, so global ones stay changed.
  func flushAll(_ tables: HandBuiltTables, _ changed: inout Set<Int>) {
    tables.mmu.invalidateAll()
    changed = changed.filter {
      tables.mmu.cachedMapping(for: VirtualAddress(canonical: Self.address($0))) != nil
    }
  }

  func checkAccess(_ tables: HandBuiltTables, page: Int, _ access: MMUAccess, mayBeStale: Bool) {
    let address = Self.address(page) + 0x18
    let actual = tables.translate(address, access)
    guard !mayBeStale else { return }
    let fresh = SoftwareMMU(ram: tables.ram, rootTable: tables.root)
    #expect(actual == fresh.translate(rawAddress: address, for: access))
  }
}
