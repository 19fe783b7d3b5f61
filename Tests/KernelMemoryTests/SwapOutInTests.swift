import KernelMemory
import KernelMemoryEmulation
import Testing

/// Swap-out and swap-in of private anonymous pages, one behaviour at a time.
@Suite struct SwapOutInTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x4000_0000

  /// A swap machine whose first process has `pages` private pages at `base`, page `i`
  /// written with `i + 1`.
  static func setUp(pages: UInt64 = 8, megabytes: UInt64 = 4, slots: Int = 1024) throws
    -> (SwapMachine, TestProcess)
  {
    let swapMachine = SwapMachine(megabytes: megabytes, slots: slots)
    let process = TestProcess(swapMachine.machine)
    let range = try process.space.reserve(
      length: pages * page, protection: [.read, .write], at: .fixed(base))
    for index in 0..<pages { swapMachine.write(process, base + index * page, UInt8(index + 1)) }
    return (swapMachine, process)
  }

  @Test func aSwappedOutPageIsWrittenOnceFreedAndReadBackWithItsContents() throws {
    let (machine, process) = try Self.setUp()
    let before = machine.machine.frames.outstandingCount
    var batch = SwapOutBatch()
    let result = process.space.swapOut(
      VirtualRange(uncheckedStart: Self.base, end: Self.base + 8 * Self.page), into: &batch)
    #expect(result.pagesUnmapped == 8 && batch.pageCount == 8)
    #expect(batch.transfers.count == 1)  // neighbouring slots: one transfer
    #expect(process.frame(at: Self.base) == nil)
    #expect(process.space.residentFrames == 0 && process.space.swappedPages == 8)
    machine.writeOut(batch)
    #expect(machine.machine.frames.outstandingCount == before - 8)
    #expect(machine.disk.pagesWritten == 8)
    for index in 0..<UInt64(8) {
      #expect(machine.read(process, Self.base + index * Self.page) == UInt8(index + 1))
    }
    #expect(machine.disk.pagesRead == 8)  // each page once, in reads that grow (read-ahead)
    #expect(process.space.swappedPages == 0 && machine.swap.slots.usedSlots == 8)  // clean copies
    #expect(machine.slotAudit([process]) == nil)
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }
}
