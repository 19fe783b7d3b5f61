import KernelMemory
import KernelMemoryEmulation
import Testing

/// Several address spaces under memory pressure at once, modelled (issue 12): independent
/// processes whose working sets together exceed RAM, fork trees grown from any of them
/// (children of children), exits in any order — the first processes included, so a page
/// shared after fork outlives the space that wrote it — with random reads, writes and
/// `MADV_DONTNEED`s. After every step every page of every live process is checked against
/// the model, the swap slots are audited against the page tables (`SwapMachine.slotAudit`)
/// and each space's commit invariant holds; at the end every frame, slot and commit is back.
/// `SwapModelTests` covers one process's tree with its root kept; this adds the mix.
@Suite struct SwapPressureTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x4000_0000

  struct Live {
    var process: TestProcess
    var contents: [UInt8]
  }

  struct Shape {
    /// Independent processes made at the start, each mapping `pages` pages at `base`.
    var processes: Int
    var pages: Int
    /// The most processes alive at once (forks stop there).
    var maximumLive: Int
    var steps: Int
  }

  static func run(seed: UInt64, _ shape: Shape) throws {
    // 1 MiB of RAM: about 240 pool frames for the page tables and pages of every space.
    let machine = SwapMachine(megabytes: 1, slots: 4096)
    var random = SplitMix64(seed: seed)
    var live: [Live] = []
    for process in 0..<shape.processes {
      // Spaces of their own: the machine's `space` stays empty for `tearDownIsClean`, so
      // any process may exit (be torn down) mid-run.
      let (space, mmu) = machine.machine.makeSpace()
      let made = TestProcess(space: space, mmu: mmu)
      let range = try made.space.reserve(
        length: UInt64(shape.pages) * page, protection: [.read, .write], at: .fixed(base))
      machine.residents.append((made, range))
      live.append(Live(process: made, contents: [UInt8](repeating: 0, count: shape.pages)))
      for index in 0..<shape.pages {
        let value = UInt8(truncatingIfNeeded: index &+ 17 &* (process + 1))
        #expect(machine.write(made, base + UInt64(index) * page, value) == .completed)
        live[process].contents[index] = value
      }
    }
    #expect(machine.freeFrames < shape.processes * shape.pages, "the spaces must exceed RAM")
    for step in 0..<shape.steps {
      try one(step: step, &live, machine, &random, shape)
      if let problem = check(live, machine, shape) {
        Issue.record("step \(step): \(problem)")
        return
      }
    }
    #expect(machine.disk.pagesWritten > 0 && machine.disk.pagesRead > 0)
    for entry in live { entry.process.space.tearDown() }
    machine.residents = []
    #expect(machine.machine.tearDownIsClean())
    #expect(machine.swap.slots.usedSlots == 0)
  }

  /// One random step: fork, exit, MADV_DONTNEED, write or read.
  static func one(
    step: Int, _ live: inout [Live], _ machine: SwapMachine, _ random: inout SplitMix64,
    _ shape: Shape
  ) throws {
    let choice = random.next() % 16
    let who = Int(random.next() % UInt64(live.count))
    let index = Int(random.next() % UInt64(shape.pages))
    let address = base + UInt64(index) * page
    if choice == 0, live.count < shape.maximumLive {
      let child = try live[who].process.fork(machine.machine)
      live.append(Live(process: child, contents: live[who].contents))
      machine.residents.append((child, machine.residents[who].range))
    } else if choice == 1, live.count > 1 {
      let gone = live.remove(at: who)
      machine.residents.remove(at: who)
      gone.process.space.tearDown()
    } else if choice == 2 {
      try live[who].process.space.advise(
        VirtualRange(uncheckedStart: address, end: address + page), .dontNeed)
      live[who].contents[index] = 0
    } else if choice < 9 {
      let value = UInt8(truncatingIfNeeded: random.next())
      #expect(machine.write(live[who].process, address, value) == .completed)
      live[who].contents[index] = value
    } else {
      #expect(machine.read(live[who].process, address) == live[who].contents[index])
    }
  }

  /// Every page of every live process, the slot audit and each space's commit audit.
  static func check(_ live: [Live], _ machine: SwapMachine, _ shape: Shape) -> String? {
    for (number, entry) in live.enumerated() {
      for page in 0..<shape.pages {
        let read = machine.read(entry.process, base + UInt64(page) * Self.page)
        if read != entry.contents[page] {
          return "process \(number): page \(page) reads \(String(describing: read))"
        }
      }
    }
    if let problem = machine.slotAudit(live.map(\.process)) { return problem }
    for (number, entry) in live.enumerated() where !entry.process.space.commitAudit().isEmpty {
      return "process \(number): commit audit \(entry.process.space.commitAudit())"
    }
    if !machine.machine.frames.releaseErrors.isEmpty { return "frame release errors" }
    return nil
  }

  @Test func independentSpacesTogetherLargerThanRAMKeepEveryPage() throws {
    try Self.run(seed: 11, Shape(processes: 3, pages: 110, maximumLive: 3, steps: 40))
  }

  @Test func forkTreesOfSeveralSpacesWithExitsInAnyOrderKeepEveryPage() throws {
    try Self.run(seed: 12, Shape(processes: 2, pages: 130, maximumLive: 5, steps: 60))
  }

  @Test(arguments: [21, 22, 23] as [UInt64])
  func seededMixesKeepEveryPage(seed: UInt64) throws {
    try Self.run(seed: seed, Shape(processes: 3, pages: 90, maximumLive: 6, steps: 40))
  }
}
