import KernelMemory
import KernelMemoryEmulation
import Testing

/// The reclaim clock's aging hand (`PhysicalMemoryContext.ageMemory`, `AddressSpace.age`):
/// accessed bits, which the SoftwareMMU sets like the CPU, are cleared on the first pass and
/// give a page its second chance; a page untouched for a revolution is a candidate; the hand
/// resumes where it stopped, within its budget.
@Suite struct ReclaimClockTests {
  static let page = PageSize.size4KiB.bytes
  static let pages: UInt64 = 8
  /// A budget larger than anything these spaces hold.
  static let everything = 1 << 20

  /// `process` with `pages` private anonymous pages at a fresh range, each written once.
  static func touchedPages(_ process: TestProcess, _ count: UInt64 = pages) throws -> UInt64 {
    let range = try process.space.reserve(length: count * page, protection: [.read, .write])
    for index in 0..<count {
      #expect(
        process.write(range.start + index * page, UInt8(index + 1)) == .completed([.zeroedFrame]))
    }
    return range.start
  }

  static func privateCandidates(_ report: AgingReport) -> [UInt64] {
    report.candidates.compactMap {
      if case .privatePage(_, let address) = $0 { return address }
      return nil
    }.sorted()
  }

  @Test func aTouchedPageGetsASecondChanceAndAnUntouchedOneIsACandidate() throws {
    let machine = TestMachine()
    let process = TestProcess(machine)
    let base = try Self.touchedPages(process)
    #expect(process.flags(at: base)?.contains(.accessed) == true)
    // First pass: every page was used since it was mapped — all referenced, bits cleared.
    let first = machine.physical.ageMemory(budget: Self.everything, wanted: 16)
    #expect(first.referenced == Int(Self.pages))
    #expect(first.candidates.isEmpty)
    #expect(process.flags(at: base)?.contains(.accessed) == false)
    // The clear was flushed: the next use loads the translation again and sets the bit.
    #expect(process.read(base + 2 * Self.page) == 3)
    #expect(process.flags(at: base + 2 * Self.page)?.contains(.accessed) == true)
    // Second pass: only page 2 was used; the others are cold.
    let second = machine.physical.ageMemory(budget: Self.everything, wanted: 16)
    #expect(second.referenced == 1)
    let cold = (0..<Self.pages).filter { $0 != 2 }.map { base + $0 * Self.page }
    #expect(Self.privateCandidates(second) == cold)
    // Aging unmaps and frees nothing of private memory.
    for index in 0..<Self.pages {
      #expect(process.read(base + index * Self.page) == UInt8(index + 1))
    }
    #expect(machine.tearDownIsClean())
  }

  @Test func theHandResumesWhereItStoppedAndCoversEverySpace() throws {
    let machine = TestMachine()
    let first = TestProcess(machine)
    let firstBase = try Self.touchedPages(first)
    let (space, mmu) = machine.makeSpace()
    let second = TestProcess(space: space, mmu: mmu)
    let secondBase = try Self.touchedPages(second)
    _ = machine.physical.ageMemory(budget: Self.everything, wanted: 0)  // clear every bit
    // Small budgets: each call goes on from the last; together they see each page once.
    var seen: [UInt64] = []
    var calls = 0
    while seen.count < 2 * Int(Self.pages), calls < 64 {
      let report = machine.physical.ageMemory(budget: 3, wanted: 64)
      #expect(report.scanned <= 3 + 1)  // a walk covers no more pages than the budget has left
      seen += report.candidates.map {
        guard case .privatePage(let owner, let address) = $0 else { return 0 }
        return owner == first.space.spaceID ? address : address | 1
      }
      calls += 1
    }
    let expected =
      (0..<Self.pages).map { firstBase + $0 * Self.page }
      + (0..<Self.pages).map { (secondBase + $0 * Self.page) | 1 }
    #expect(seen.sorted() == expected.sorted())
    #expect(calls > 2)
    second.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func aPassIsBoundedByItsBudgetAndAtMostTheWantedCandidates() throws {
    let machine = TestMachine()
    let process = TestProcess(machine)
    _ = try Self.touchedPages(process, 64)
    _ = machine.physical.ageMemory(budget: Self.everything, wanted: 0)
    let report = machine.physical.ageMemory(budget: 10, wanted: 4)
    #expect(report.candidates.count == 4)
    #expect(report.scanned <= 10 + 1)
    #expect(machine.tearDownIsClean())
  }

  @Test func forkSharedPagesAreCandidatesOfTheSpaceThatMapsThem() throws {
    let machine = TestMachine()
    let parent = TestProcess(machine)
    let base = try Self.touchedPages(parent)
    let child = try parent.fork(machine)
    _ = machine.physical.ageMemory(budget: Self.everything, wanted: 0)
    #expect(child.read(base) == 1)  // the child uses page 0; the parent shares its leaf
    let report = machine.physical.ageMemory(budget: Self.everything, wanted: 64)
    #expect(!report.candidates.isEmpty)
    for index in 0..<Self.pages {
      #expect(parent.read(base + index * Self.page) == UInt8(index + 1))
      #expect(child.read(base + index * Self.page) == UInt8(index + 1))
    }
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }
}
