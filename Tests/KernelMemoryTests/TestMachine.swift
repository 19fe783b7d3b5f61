import KernelMemory
import KernelMemoryEmulation

/// A small emulated machine for tests of the page map, address spaces and the page trap:
/// RAM, a counting pool of frames, a software MMU, the physical-memory context (frames, commit,
/// zero page, frame table) and one address space; `makeSpace` creates more sharing the context.
///
/// `touch` plays the CPU and the kernel's trap entry together: it accesses memory through the
/// MMU and, on a page fault, asks the address space's policy, then retries — the loop a real
/// faulting instruction goes through.
final class TestMachine {
  typealias Frames = CountingFrameSource<SimpleFramePool>
  typealias Space = AddressSpace<EmulatedRAM, SoftwareMMU, Frames>
  typealias Physical = PhysicalMemoryContext<Frames>

  /// Frames below this are never handed out (like a kernel's reserved low memory).
  static let firstPoolFrame: UInt64 = 16

  let ram: EmulatedRAM
  let physical: Physical
  let mmu: SoftwareMMU
  var space: Space
  /// The frame table's storage (the kernel carves it at boot; here it is the test's).
  private let frameRecords: UnsafeMutableBufferPointer<FrameInfo>
  /// Frames outstanding before the address space existed: the baseline leaks are measured from.
  let baselineOutstanding: Int

  /// The context's frame source (a view: the context owns it).
  var frames: Frames {
    get { physical.frames }
    set { physical.frames = newValue }
  }
  /// The context's commit ledger (a view: the context owns it).
  var commit: CommitLedger { physical.commit }
  /// The zero page, if the machine has one.
  var zeroPage: PhysicalFrame? { physical.zeroPage }

  init(megabytes: UInt64 = 16, commitLimit: UInt64? = nil, useZeroPage: Bool = true) {
    ram = EmulatedRAM(megabytes: megabytes, contents: .poison)
    let count = ram.frameCount - TestMachine.firstPoolFrame
    let pool = CountingFrameSource(
      wrapping: SimpleFramePool(
        ram: ram, first: PhysicalFrame(number: TestMachine.firstPoolFrame), count: count))
    var zero: PhysicalFrame? = nil
    if useZeroPage {
      zero = pool.allocateFrame()!
      ram.zero(zero!)
    }
    frameRecords = .allocate(
      capacity: FrameTable.requiredStorageRecords(frameCount: ram.frameCount))
    physical = PhysicalMemoryContext(
      frames: pool, commitLimit: commitLimit ?? count / 2,
      frameTable: FrameTable(frameCount: ram.frameCount, storage: frameRecords), zeroPage: zero)
    baselineOutstanding = physical.frames.outstandingCount
    let pageMap = try! PageMap(memory: ram, frames: &physical.frames)
    mmu = SoftwareMMU(ram: ram, rootTable: pageMap.root)
    space = AddressSpace(pageMap: pageMap, tlb: mmu, physical: physical)
  }

  deinit { frameRecords.deallocate() }

  /// Another address space on the same context, with its own page tables and its own software
  /// MMU (what a second process would be): accounting is the context's, shared with `space`.
  func makeSpace() -> (space: Space, mmu: SoftwareMMU) {
    let pageMap = try! PageMap(memory: ram, frames: &physical.frames)
    let mmu = SoftwareMMU(ram: ram, rootTable: pageMap.root)
    return (AddressSpace(pageMap: pageMap, tlb: mmu, physical: physical), mmu)
  }

  /// What happened to an access.
  enum Outcome: Equatable {
    case completed
    case killed(KillReason)
    case panicked(PanicReason)
    case generalProtection
    /// The policy asked for swap I/O (`SwapMachine` plays the kernel's part).
    case swapRequested(SwapFault)
  }

  /// Accesses one byte at `address` as the process would, resolving faults through the policy.
  /// A write stores `value`; the value read is returned through `readValue`.
  @discardableResult
  func touch(_ address: UInt64, _ access: AccessKind, value: UInt8 = 0x5a) -> Outcome {
    for _ in 0..<3 {
      guard let virtual = VirtualAddress(address) else {
        return resolve(address: address, code: [.user], access: access)
      }
      let result: MMUFault?
      switch access {
      case .read: result = mmu.read(at: virtual, mode: .user).fault
      case .write: result = mmu.write(value, at: virtual, mode: .user).fault
      case .execute: result = mmu.fetch(at: virtual, mode: .user).fault
      }
      guard let fault = result else { return .completed }
      guard case .pageFault(let faulting, let code) = fault else { return .generalProtection }
      let outcome = resolve(
        address: faulting.value,
        code: KernelMemory.PageFaultErrorCode(rawValue: code.rawValue), access: access)
      if outcome != .completed { return outcome }
    }
    preconditionFailure("the same fault repeated: the policy resolved nothing")
  }

  /// The byte the process reads at `address` (touching it, so it may fault in).
  func readByte(_ address: UInt64) -> UInt8? {
    guard touch(address, .read) == .completed else { return nil }
    return try? mmu.read(at: VirtualAddress(address)!, mode: .user).get()
  }

  private func resolve(address: UInt64, code: KernelMemory.PageFaultErrorCode, access: AccessKind)
    -> Outcome
  {
    var errorCode = code
    if !VirtualAddress.isCanonical(address) {
      errorCode = [.user]
      if access == .write { errorCode.insert(.write) }
      if access == .execute { errorCode.insert(.instructionFetch) }
    }
    let fault = PageFault(address: address, errorCode: errorCode, origin: .user)
    switch space.handlePageFault(fault) {
    case .resolved: return .completed
    case .kill(let reason): return .killed(reason)
    case .panic(let reason): return .panicked(reason)
    case .swap(let request): return .swapRequested(request)
    }
  }

  /// Frames handed out since the address space was created (its tables and pages).
  var framesInUse: Int { frames.outstandingCount - baselineOutstanding }

  /// Releases everything and reports whether every frame and every commit came back.
  /// Before that, the commit invariant must hold: the ledger holds exactly the regions' and
  /// the memory objects' charges and every region with pages is charged its worst case
  /// (`commitAudit`). The other spaces of the machine must be gone already.
  func tearDownIsClean() -> Bool {
    let sound =
      space.commitAudit().isEmpty
      && commit.committed == space.committedFrames + physical.objects.totalCharge
    space.tearDown()
    guard sound else { return false }
    return frames.outstandingCount == baselineOutstanding && commit.committed == 0
      && frames.releaseErrors.isEmpty && physical.objects.count == 0
  }
}
