import KernelMemory
import KernelMemoryEmulation
import Testing

/// `moveBacking` (`mremap`'s move): frames change address, contents and accounting stay.
@Suite struct AddressSpaceMoveTests {
  let page = PageSize.size4KiB.bytes

  @Test func backedPagesMoveWithTheirContents() throws {
    let machine = TestMachine()
    let source = try machine.space.reserve(
      length: 8 * page, protection: [.read, .write], at: .fixed(0x40_0000))
    machine.touch(source.start, .write, value: 1)
    machine.touch(source.start + 3 * page, .write, value: 4)
    machine.touch(source.start + 5 * page, .read)  // the zero page
    // Across a 1 GiB boundary, so new tables are needed at the destination.
    let target = try machine.space.reserve(
      length: 8 * page, protection: [.read, .write], at: .fixed(0x4000_0000 - 4 * page))
    let resident = machine.space.residentFrames
    try machine.space.moveBacking(
      from: source, to: target.start)
    #expect(machine.space.residentFrames == resident)
    #expect(machine.readByte(target.start) == 1)
    #expect(machine.readByte(target.start + 3 * page) == 4)
    #expect(machine.readByte(target.start + 5 * page) == 0)
    #expect(machine.touch(target.start + 5 * page, .write, value: 9) == .completed)
    #expect(machine.readByte(target.start + 5 * page) == 9)
    #expect(machine.readByte(source.start + 3 * page) == 0)  // the old page faults in fresh
    try machine.space.release(
      start: source.start, length: source.length)
    #expect(machine.tearDownIsClean())
  }

  @Test func refusesBadDestinations() throws {
    let machine = TestMachine()
    let source = try machine.space.reserve(
      length: 4 * page, protection: [.read, .write], at: .fixed(0x40_0000))
    let target = try machine.space.reserve(
      length: 4 * page, protection: [.read, .write], at: .fixed(0x80_0000))
    machine.touch(target.start, .write)
    #expect(throws: AddressSpaceError.overlapsExisting) {
      try machine.space.moveBacking(from: source, to: target.start)
    }
    #expect(throws: AddressSpaceError.notReserved) {
      try machine.space.moveBacking(from: source, to: 0x100_0000)
    }
    #expect(throws: AddressSpaceError.invalidRange(.overflow)) {
      try machine.space.moveBacking(
        from: source, to: source.start + page)
    }
    #expect(machine.tearDownIsClean())
  }
}
