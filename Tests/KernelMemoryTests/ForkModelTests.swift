import KernelMemory
import KernelMemoryEmulation
import Testing

/// Many address spaces, seeded random steps — fork, exit, copy-on-write writes, reads, mmap
/// (private and shared), munmap, mprotect, MADV_DONTNEED, mremap — against a reference model
/// of every page's contents, checked after EVERY step:
/// - every page of every process reads what the model says (through its leaf, or — not
///   faulted in — zero for private memory and the object's page for shared memory), and its
///   region's protection and kind are the model's;
/// - each frame's map count equals the leaves that reach it across all spaces — a page table
///   fork shares counted once, however many spaces reach it (the invariant of
///   AddressSpace+SharedTables.swift) — an exclusive frame has exactly one, a writable private
///   leaf maps an exclusive frame, and no frame a leaf reaches is free;
/// - each page table's share count equals the page-directory entries that reach it, and an
///   entry reaching a table others share has R/W clear;
/// - no TLB holds a stale translation, the ledger holds exactly the spaces' and objects'
///   charges, and every space passes `commitAudit`.
/// At the end frames and commit are back at the baseline exactly.
@Suite struct ForkModelTests {
  static let page = PageSize.size4KiB.bytes
  /// 48 pages across a 1 GiB boundary (two page directories, two page tables).
  static let arenaStart: UInt64 = 0x4000_0000 - 24 * page
  static let arenaPages = 48
  static let maxProcesses = 5
  static let protections: [Protection] = [.none, .read, [.read, .write], [.read, .write]]

  static func address(_ index: Int) -> UInt64 { arenaStart + UInt64(index) * page }
  static var arena: VirtualRange {
    VirtualRange(uncheckedStart: arenaStart, end: address(arenaPages))
  }

  /// What one page of one process is in the model.
  struct PageModel: Equatable {
    var protection: Protection
    /// The contents (the byte at offset 0) of a private page.
    var value: UInt8
    /// The shared cell a page of shared memory reads, nil for private memory.
    var cell: Int?
  }

  /// One process and its model.
  struct Modelled {
    var process: TestProcess
    var pages: [PageModel?] = Array(repeating: nil, count: ForkModelTests.arenaPages)
  }

  /// The whole run's state.
  struct Run {
    let machine: TestMachine
    var processes: [Modelled]
    /// The contents of shared pages, by cell.
    var cells: [UInt8] = []
    var random: SplitMix64
    /// The checks' scratch space, reused from step to step.
    let scratch: Scratch

    func value(of page: PageModel) -> UInt8 { page.cell.map { cells[$0] } ?? page.value }

    mutating func pick(_ count: Int) -> Int { Int(random.next() % UInt64(count)) }
  }

  /// Per-frame leaf counts and the step each shared cell was last read back, kept between
  /// steps so a check allocates nothing.
  final class Scratch {
    var census: [UInt32]
    var reached: [PhysicalFrame] = []
    var cellChecked: [Int] = []
    /// Per page table reached this step, how many page-directory entries (across all spaces)
    /// reach it: checked against its share count.
    var tableReaches: [PhysicalFrame: UInt32] = [:]
    /// How the steps' write faults were resolved, to show the run exercised them all.
    var resolutions: [ResolvedBy: Int] = [:]
    /// Issues recorded so far (the run stops at the first step that records one).
    var issues = 0

    init(frameCount: UInt64) { census = Array(repeating: 0, count: Int(frameCount)) }
  }

  @Test(arguments: [UInt64(21), 22, 23, 24])
  func forkingProcessesMatchTheModelAfterEveryStep(seed: UInt64) throws {
    let machine = TestMachine(megabytes: 16, commitLimit: 3000)
    var run = Run(
      machine: machine, processes: [Modelled(process: TestProcess(machine))],
      random: SplitMix64(seed: seed), scratch: Scratch(frameCount: machine.ram.frameCount))
    for step in 0..<25_000 {
      let acting = try Self.step(&run, step)
      let issues = run.scratch.issues
      Self.check(run, step, acting: acting)
      guard run.scratch.issues == issues else { break }  // the first broken step is enough
    }
    for how: ResolvedBy in [.copiedOnWrite, .reusedExclusive, .copyOfZeroPage, .objectPage] {
      #expect(run.scratch.resolutions[how, default: 0] > 50, "\(how): \(run.scratch.resolutions)")
    }
    // The machine's first space may have exited long ago: tear down whoever is left.
    for modelled in run.processes { modelled.process.space.tearDown() }
    #expect(machine.frames.outstandingCount == machine.baselineOutstanding)
    #expect(machine.commit.committed == 0 && machine.physical.objects.count == 0)
    #expect(machine.frames.releaseErrors.isEmpty)
    let table = machine.physical.frameTable
    for number in TestMachine.firstPoolFrame..<machine.ram.frameCount {
      let frame = PhysicalFrame(number: number)
      guard frame != machine.zeroPage else { continue }
      #expect(table[frame] == .unused, "frame \(number) after tear-down: \(table[frame])")
    }
  }

  // MARK: Steps

  /// One random step; the process that made it.
  static func step(_ run: inout Run, _ step: Int) throws -> Int {
    let which = run.pick(run.processes.count)
    let first = run.pick(arenaPages)
    let count = 1 + run.pick(min(8, arenaPages - first))
    switch run.pick(100) {
    case 0..<40: write(&run, which, first)
    case 40..<55: read(run, which, first)
    case 55..<64: try fork(&run, which)
    case 64..<72: exit(&run, which)
    case 72..<80: try mmap(&run, which, first, min(2 * count, arenaPages - first))
    case 80..<83: try munmap(&run, which, first, count)
    case 83..<91: mprotect(&run, which, first, count)
    case 91..<95: try dontNeed(&run, which, first, count)
    default: try mremap(&run, which, first, count)
    }
    return which
  }

  static func write(_ run: inout Run, _ which: Int, _ index: Int) {
    let value = UInt8(truncatingIfNeeded: 1 + run.pick(255))
    let outcome = run.processes[which].process.write(address(index), value)
    guard let page = run.processes[which].pages[index], page.protection.contains(.write) else {
      guard case .killed = outcome else {
        fail(run.scratch, "a write the model forbids: \(outcome)")
        return
      }
      return
    }
    guard case .completed(let resolutions) = outcome else {
      fail(run.scratch, "a permitted write failed: \(outcome)")
      return
    }
    for how in resolutions { run.scratch.resolutions[how, default: 0] += 1 }
    if let cell = page.cell {
      run.cells[cell] = value
    } else {
      run.processes[which].pages[index]!.value = value
    }
  }

  static func read(_ run: Run, _ which: Int, _ index: Int) {
    let got = run.processes[which].process.read(address(index))
    var expected: UInt8? = nil
    if let page = run.processes[which].pages[index], !page.protection.isEmpty {
      expected = run.value(of: page)
    }
    if got != expected {
      fail(run.scratch, "read \(String(describing: got)), model \(String(describing: expected))")
    }
  }

  static func fork(_ run: inout Run, _ which: Int) throws {
    guard run.processes.count < maxProcesses else { return }
    let parent = run.processes[which]
    let child = try parent.process.fork(run.machine)
    run.processes.append(Modelled(process: child, pages: parent.pages))
  }

  static func exit(_ run: inout Run, _ which: Int) {
    guard run.processes.count > 1 else { return }
    run.processes.remove(at: which).process.space.tearDown()
  }

  static func mmap(_ run: inout Run, _ which: Int, _ first: Int, _ count: Int) throws {
    let protection = protections[run.pick(protections.count)]
    let shared = run.pick(4) == 0
    _ = try run.processes[which].process.space.reserve(
      length: UInt64(count) * page, protection: protection,
      kind: shared ? .sharedAnonymous : .anonymous, at: .fixed(address(first)))
    for index in first..<first + count {
      var cell: Int? = nil
      if shared {
        cell = run.cells.count
        run.cells.append(0)
      }
      run.processes[which].pages[index] = PageModel(protection: protection, value: 0, cell: cell)
    }
  }

  static func munmap(_ run: inout Run, _ which: Int, _ first: Int, _ count: Int) throws {
    try run.processes[which].process.space.release(
      start: address(first), length: UInt64(count) * page)
    for index in first..<first + count { run.processes[which].pages[index] = nil }
  }

  /// Linux's order: from the start up to the first hole; nothing when the start is a hole.
  static func mprotect(_ run: inout Run, _ which: Int, _ first: Int, _ count: Int) {
    let protection = protections[run.pick(protections.count)]
    var end = first
    while end < first + count, run.processes[which].pages[end] != nil { end += 1 }
    do throws(AddressSpaceError) {
      try run.processes[which].process.space.protect(
        start: address(first), length: UInt64(count) * page, protection: protection)
      #expect(end == first + count)
    } catch {
      #expect(error == .notReserved && end < first + count)
    }
    for index in first..<end { run.processes[which].pages[index]!.protection = protection }
  }

  static func dontNeed(_ run: inout Run, _ which: Int, _ first: Int, _ count: Int) throws {
    _ = try? run.processes[which].process.space.advise(
      VirtualRange(start: address(first), length: UInt64(count) * page), .dontNeed)
    for index in first..<first + count where run.processes[which].pages[index]?.cell == nil {
      if run.processes[which].pages[index] != nil { run.processes[which].pages[index]!.value = 0 }
    }
  }

  /// `mremap` of `count` pages at `first` to a fixed target that does not overlap them.
  static func mremap(_ run: inout Run, _ which: Int, _ first: Int, _ count: Int) throws {
    let target = run.pick(arenaPages - count + 1)
    guard target + count <= first || target >= first + count else { return }
    let space = run.processes[which].process.space
    let start = address(first)
    let length = UInt64(count) * page
    guard run.processes[which].pages[first] != nil else {
      #expect(throws: AddressSpaceError.notOneMapping) {
        _ = try space.remap(
          start: start, oldLength: length, newLength: length, placement: .fixed(address(target)))
      }
      return
    }
    let movable = space.region(containing: start).map { $0.range.end >= start + length } ?? false
    let moved = Array(run.processes[which].pages[first..<first + count])
    do throws(AddressSpaceError) {
      _ = try space.remap(
        start: start, oldLength: length, newLength: length, placement: .fixed(address(target)))
      #expect(movable)
    } catch {
      #expect(!movable && error == .notOneMapping)
    }
    for index in target..<target + count { run.processes[which].pages[index] = nil }
    guard movable else { return }
    for offset in 0..<count {
      run.processes[which].pages[first + offset] = nil
      run.processes[which].pages[target + offset] = moved[offset]
    }
  }

  // MARK: Checks

  /// Every check of the suite's description. Only `acting` (the process that made the step)
  /// can have changed tables, so its TLB and commit audit are the ones checked; contents,
  /// regions, map counts and the ledger are checked for everyone.
  static func fail(_ scratch: Scratch, _ comment: Comment) {
    scratch.issues += 1
    Issue.record(comment)
  }

  static func check(_ run: Run, _ step: Int, acting: Int) {
    let machine = run.machine
    let table = machine.physical.frameTable
    let scratch = run.scratch
    for frame in scratch.reached { scratch.census[Int(frame.number)] = 0 }
    scratch.reached.removeAll(keepingCapacity: true)
    scratch.tableReaches.removeAll(keepingCapacity: true)
    while scratch.cellChecked.count < run.cells.count { scratch.cellChecked.append(-1) }
    var committed: UInt64 = machine.physical.objects.totalCharge
    for (number, modelled) in run.processes.enumerated() {
      let space = modelled.process.space
      committed += space.committedFrames
      var regionOf = [Region?](repeating: nil, count: arenaPages)
      for region in space.regions where region.range.overlaps(arena) {
        let first = Int((max(region.range.start, arenaStart) - arenaStart) / page)
        let end = Int((min(region.range.end, arena.end) - arenaStart) / page)
        for index in first..<end { regionOf[index] = region }
      }
      // Whose leaves this space counts: a table's, unless an earlier space reached it.
      var countsLeaves = [Bool](repeating: true, count: arenaPages)
      var index = 0
      while index < arenaPages {
        let tableSpan = PageTableLevel.pageDirectory.entryCoverage
        let windowEnd = (address(index) / tableSpan + 1) * tableSpan
        let pointer = try? space.pageMap.entry(
          at: space.pageMap.locate(VirtualAddress(canonical: address(index)), at: .pageDirectory))
        var counts = true
        if let pointer, pointer.isPresent {
          let reaches = scratch.tableReaches[pointer.frame, default: 0] + 1
          scratch.tableReaches[pointer.frame] = reaches
          counts = reaches == 1
          if table.sharers(ofTable: pointer.frame) > 1, pointer.flags.contains(.writable) {
            fail(scratch, "step \(step), process \(number): a shared table reached writable")
          }
        }
        while index < arenaPages, address(index) < windowEnd {
          countsLeaves[index] = counts
          index += 1
        }
      }
      var leafOf = [Mapping?](repeating: nil, count: arenaPages)
      space.pageMap.forEachMapping(in: arena) { mapping in
        leafOf[Int((mapping.page.value - arenaStart) / page)] = mapping
      }
      for index in 0..<arenaPages {
        guard let model = modelled.pages[index] else {
          if regionOf[index] != nil || leafOf[index] != nil {
            fail(scratch, "step \(step), process \(number), page \(index): mapped, model says not")
          }
          continue
        }
        guard let region = regionOf[index], region.protection == model.protection,
          region.kind.isShared == (model.cell != nil)
        else {
          fail(scratch, "step \(step), process \(number), page \(index): region vs \(model)")
          continue
        }
        let expected = run.value(of: model)
        let actual: UInt8
        if let leaf = leafOf[index] {
          let frame = leaf.frameAddress.frame
          actual = machine.ram.read(at: leaf.frameAddress)
          if frame != machine.zeroPage, countsLeaves[index] {
            if scratch.census[Int(frame.number)] == 0 { scratch.reached.append(frame) }
            scratch.census[Int(frame.number)] += 1
          }
          if let cell = model.cell { scratch.cellChecked[cell] = step }
          if leaf.flags.contains(.writable), region.object == nil,
            !table[frame].state.contains(.anonymousExclusive)
          {
            fail(scratch, "step \(step), process \(number), page \(index): writable, not exclusive")
          }
        } else if let object = region.object {
          // A shared cell read back once a step is enough: every reader sees the same page.
          guard scratch.cellChecked[model.cell!] != step else { continue }
          scratch.cellChecked[model.cell!] = step
          let offset = region.objectOffset + (address(index) - region.range.start) / page
          actual =
            space.objectPage(object, at: offset).map { machine.ram.read(at: $0.address) } ?? 0
        } else {
          actual = 0
        }
        if actual != expected {
          fail(
            scratch,
            "step \(step), process \(number), page \(index): reads \(actual), model \(expected)")
        }
      }
      if number == acting || number == run.processes.count - 1 {
        if !space.commitAudit().isEmpty { fail(scratch, "step \(step): commit audit") }
        let stale = modelled.process.mmu.staleEntries()
        if !stale.isEmpty { fail(scratch, "step \(step), process \(number): stale TLB \(stale)") }
      }
    }
    let outstanding = machine.frames.outstandingFrames
    for frame in scratch.reached {
      let info = table[frame]
      let leaves = scratch.census[Int(frame.number)]
      if info.mapCount != leaves || (info.state.contains(.anonymousExclusive) && leaves != 1)
        || !outstanding.contains(frame)
      {
        fail(scratch, "step \(step), frame \(frame): \(info), \(leaves) leaves")
      }
    }
    for (pageTable, reaches) in scratch.tableReaches
    where table.sharers(ofTable: pageTable) != reaches {
      fail(scratch, "step \(step), table \(pageTable): \(table[pageTable]), \(reaches) entries")
    }
    if machine.commit.committed != committed { fail(scratch, "step \(step): ledger") }
  }
}
