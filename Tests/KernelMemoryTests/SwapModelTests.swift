import KernelMemory
import KernelMemoryEmulation
import Testing

/// Memory pressure, modelled: a working set larger than RAM, random reads, writes and
/// `MADV_DONTNEED`s, forks with writes on both sides and exits; after every step every live page of every process is
/// checked against the model and the slots are audited against the page tables; at the end
/// every frame, slot and commit has come back.
@Suite struct SwapModelTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x4000_0000

  struct Live {
    var process: TestProcess
    var contents: [UInt8]
  }

  static func run(seed: UInt64, steps: Int, pages: Int, forks: Bool) throws {
    // 1 MiB of RAM: 240 pool frames for page tables and pages; the working set is larger.
    let machine = SwapMachine(megabytes: 1, slots: 4096)
    var random = SplitMix64(seed: seed)
    let first = TestProcess(machine.machine)
    let range = try first.space.reserve(
      length: UInt64(pages) * page, protection: [.read, .write], at: .fixed(base))
    machine.residents = [(first, range)]
    var live = [Live(process: first, contents: [UInt8](repeating: 0, count: pages))]
    for index in 0..<pages {
      let value = UInt8(truncatingIfNeeded: index &+ 1)
      #expect(machine.write(first, base + UInt64(index) * page, value) == .completed)
      live[0].contents[index] = value
    }
    #expect(machine.freeFrames < pages, "the working set must exceed RAM")
    for step in 0..<steps {
      let choice = random.next() % 16
      let who = Int(random.next() % UInt64(live.count))
      let index = Int(random.next() % UInt64(pages))
      let address = base + UInt64(index) * page
      if forks, choice == 0, live.count < 3 {
        let child = try live[who].process.fork(machine.machine)
        live.append(Live(process: child, contents: live[who].contents))
        machine.residents.append((child, range))
      } else if forks, choice == 1, live.count > 1, who != 0 {
        let gone = live.remove(at: who)
        machine.residents.remove(at: who)
        gone.process.space.tearDown()
      } else if choice == 2 {
        // MADV_DONTNEED: the page reads zeros next, wherever it was (frame, cache, slot).
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
      for entry in live {
        for page in 0..<pages {
          let read = machine.read(entry.process, base + UInt64(page) * Self.page)
          if read != entry.contents[page] {
            Issue.record("step \(step): page \(page) reads \(String(describing: read))")
            return
          }
        }
      }
      if let problem = machine.slotAudit(live.map(\.process)) {
        Issue.record("step \(step): \(problem)")
        return
      }
      #expect(machine.machine.frames.releaseErrors.isEmpty)
    }
    #expect(machine.disk.pagesWritten > 0 && machine.disk.pagesRead > 0)
    for entry in live.dropFirst() { entry.process.space.tearDown() }
    #expect(machine.machine.tearDownIsClean())
    #expect(machine.swap.slots.usedSlots == 0)
  }

  @Test func aWorkingSetLargerThanRAMKeepsEveryPage() throws {
    try Self.run(seed: 1, steps: 40, pages: 300, forks: false)
  }

  @Test func forksUnderPressureKeepEverySidesPages() throws {
    try Self.run(seed: 2, steps: 40, pages: 260, forks: true)
  }
}
