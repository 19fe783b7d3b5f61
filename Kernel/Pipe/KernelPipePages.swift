/// A pipe's pages in the kernel: physical frames of the machine's context, reached through
/// the direct map and **charged to the commit ledger** one page each, so pipes compete with
/// user memory for the same promise and can never drain the kernel's reserve
/// (`ProcessRunner.kernelReserveFrames`). A pipe holds at most 17 (16 slots and a spare);
/// with the descriptor limit that bounds what one process can pin (Linux bounds it per user
/// with `pipe-user-pages-soft`).
struct KernelPipePages: PipePageSource {
  mutating func allocatePage() -> UnsafeMutableRawPointer? {
    let physical = ProcessRunner.physical
    guard physical.commit.charge(1) else { return nil }
    guard let frame = physical.allocateFrame() else {
      physical.commit.refund(1)
      return nil
    }
    return DirectMap.pointer(frame.address)
  }

  mutating func releasePage(_ page: UnsafeMutableRawPointer) {
    let physical = ProcessRunner.physical
    let address = UInt64(UInt(bitPattern: page)) &- directMapBase
    physical.releaseFrame(PhysicalFrame(number: address >> PageSize.size4KiB.shift))
    physical.commit.refund(1)
  }
}
