import KernelMemory
import KernelMemoryEmulation

/// A small emulated machine for tests of the page map, address spaces and the page trap:
/// RAM, a counting pool of frames, a software MMU, a commit ledger and one address space.
///
/// `touch` plays the CPU and the kernel's trap entry together: it accesses memory through the
/// MMU and, on a page fault, asks the address space's policy, then retries — the loop a real
/// faulting instruction goes through.
final class TestMachine {
  typealias Frames = CountingFrameSource<SimpleFramePool>
  typealias Space = AddressSpace<EmulatedRAM, SoftwareMMU>

  /// Frames below this are never handed out (like a kernel's reserved low memory).
  static let firstPoolFrame: UInt64 = 16

  let ram: EmulatedRAM
  var frames: Frames
  let mmu: SoftwareMMU
  var commit: CommitLedger
  var space: Space
  let zeroPage: PhysicalFrame?
  /// Frames outstanding before the address space existed: the baseline leaks are measured from.
  let baselineOutstanding: Int

  init(megabytes: UInt64 = 16, commitLimit: UInt64? = nil, useZeroPage: Bool = true) {
    ram = EmulatedRAM(megabytes: megabytes, contents: .poison)
    let count = ram.frameCount - TestMachine.firstPoolFrame
    frames = CountingFrameSource(
      wrapping: SimpleFramePool(
        ram: ram, first: PhysicalFrame(number: TestMachine.firstPoolFrame), count: count))
    var zero: PhysicalFrame? = nil
    if useZeroPage {
      zero = frames.allocateFrame()!
      ram.zero(zero!)
    }
    zeroPage = zero
    baselineOutstanding = frames.outstandingCount
    let pageMap = try! PageMap(memory: ram, frames: &frames)
    mmu = SoftwareMMU(ram: ram, rootTable: pageMap.root)
    space = AddressSpace(pageMap: pageMap, tlb: mmu, zeroPage: zero)
    commit = CommitLedger(limit: commitLimit ?? count / 2)
  }

  /// What happened to an access.
  enum Outcome: Equatable {
    case completed
    case killed(KillReason)
    case panicked(PanicReason)
    case generalProtection
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
    switch space.handlePageFault(fault, frames: &frames) {
    case .resolved: return .completed
    case .kill(let reason): return .killed(reason)
    case .panic(let reason): return .panicked(reason)
    }
  }

  /// Frames handed out since the address space was created (its tables and pages).
  var framesInUse: Int { frames.outstandingCount - baselineOutstanding }

  /// Releases everything and reports whether every frame and every commit came back.
  /// Before that, the commit invariant must hold: the ledger holds exactly the regions' charges
  /// and every region with pages is charged its worst case (`commitAudit`).
  func tearDownIsClean() -> Bool {
    let sound = space.commitAudit().isEmpty && commit.committed == space.committedFrames
    space.tearDown(commit: &commit, frames: &frames)
    guard sound else { return false }
    return frames.outstandingCount == baselineOutstanding && commit.committed == 0
      && frames.releaseErrors.isEmpty
  }
}
