import KernelMemory
import KernelMemoryEmulation

/// One process of a `TestMachine` for the fork tests: an address space with its own software
/// MMU (its own CR3 and TLB), accessed as its program would — through the MMU, page faults
/// answered by the space's policy and the access retried.
struct TestProcess {
  let space: TestMachine.Space
  let mmu: SoftwareMMU

  /// The machine's first process.
  init(_ machine: TestMachine) {
    space = machine.space
    mmu = machine.mmu
  }

  init(space: TestMachine.Space, mmu: SoftwareMMU) {
    self.space = space
    self.mmu = mmu
  }

  /// A fork of this process: a fresh page map and MMU for the child.
  func fork(_ machine: TestMachine) throws(AddressSpaceError) -> TestProcess {
    let pageMap = try! PageMap(memory: machine.ram, frames: &machine.physical.frames)
    let childMMU = SoftwareMMU(ram: machine.ram, rootTable: pageMap.root)
    return TestProcess(space: try space.fork(into: pageMap, tlb: childMMU), mmu: childMMU)
  }

  /// What the last fault of an access was resolved as, or why the access failed.
  enum Outcome: Equatable {
    case completed([ResolvedBy])
    case killed(KillReason)
    case panicked(PanicReason)
    /// The policy asked for swap I/O (`SwapMachine` plays the kernel's part).
    case swapRequested(SwapFault)
  }

  /// Reads the byte at `address`, or nil when the process would be killed.
  func read(_ address: UInt64) -> UInt8? {
    guard case .completed = access(address, .read) else { return nil }
    return try? mmu.read(at: VirtualAddress(address)!, mode: .user).get()
  }

  /// Writes `value` at `address`; the resolutions of the faults it took, in order.
  @discardableResult
  func write(_ address: UInt64, _ value: UInt8) -> Outcome {
    access(address, .write, value: value)
  }

  /// One access through the MMU, faults resolved by the policy (at most three in a row).
  func access(_ address: UInt64, _ kind: AccessKind, value: UInt8 = 0) -> Outcome {
    let virtual = VirtualAddress(address)!
    var resolutions: [ResolvedBy] = []
    for _ in 0..<4 {
      let fault: MMUFault?
      switch kind {
      case .read: fault = mmu.read(at: virtual, mode: .user).fault
      case .write: fault = mmu.write(value, at: virtual, mode: .user).fault
      case .execute: fault = mmu.fetch(at: virtual, mode: .user).fault
      }
      guard let fault else { return .completed(resolutions) }
      guard case .pageFault(_, let code) = fault else { preconditionFailure("not a page fault") }
      let errorCode = PageFaultErrorCode(rawValue: code.rawValue)
      switch space.handlePageFault(PageFault(address: address, errorCode: errorCode, origin: .user))
      {
      case .resolved(let how): resolutions.append(how)
      case .kill(let reason): return .killed(reason)
      case .panic(let reason): return .panicked(reason)
      case .swap(let request): return .swapRequested(request)
      }
    }
    preconditionFailure("the same access faulted four times")
  }

  /// The frame mapped at `address`, if any.
  func frame(at address: UInt64) -> PhysicalFrame? {
    space.pageMap.mapping(containing: VirtualAddress(address)!)?.frameAddress.frame
  }

  /// The page-directory entry pointing to the page table that covers `address`, if any.
  func tablePointer(at address: UInt64) -> PageTableEntry? {
    guard
      let location = try? space.pageMap.locate(VirtualAddress(address)!, at: .pageDirectory)
    else { return nil }
    let pointer = space.pageMap.entry(at: location)
    return pointer.isPresent ? pointer : nil
  }

  /// The leaf flags at `address`, if mapped.
  func flags(at address: UInt64) -> PageTableFlags? {
    space.pageMap.mapping(containing: VirtualAddress(address)!)?.flags
  }
}
