import KernelMemory
import KernelMemoryEmulation
import Testing

/// A fault the policy cannot make progress on ends the process: it is never retried forever
/// (issue 8, item 2). Each test plays the CPU and the trap entry the way the kernel does: the
/// faulting access is retried as long as the policy answers `.resolved`.
@Suite struct PageTrapProgressTests {
  let page = PageSize.size4KiB.bytes

  /// How often a test lets the CPU retry before calling it a hang: far more than the policy
  /// may ever need for one access.
  let retryBound = 16

  func machineWithRegion(_ protection: Protection) throws -> (TestMachine, VirtualRange) {
    let machine = TestMachine()
    let range = try machine.space.reserve(
      length: 16 * page, protection: protection)
    return (machine, range)
  }

  /// Retries `access` while the policy resolves its faults, as the CPU does; returns the
  /// policy's final answer (nil if the access completed) and how many faults were taken.
  func retry(
    _ machine: TestMachine, origin: FaultOrigin = .user,
    _ access: () -> MMUFault?
  ) -> (FaultResolution?, Int) {
    for attempt in 1...retryBound {
      guard let fault = access() else { return (nil, attempt - 1) }
      guard case .pageFault(let address, let code) = fault else {
        Issue.record("expected a page fault, got \(fault)")
        return (nil, attempt)
      }
      let resolution = machine.space.handlePageFault(
        PageFault(
          address: address.value, errorCode: PageFaultErrorCode(rawValue: code.rawValue),
          origin: origin))
      if case .resolved = resolution { continue }
      return (resolution, attempt)
    }
    return (.resolved(.alreadyMapped), retryBound)
  }

  /// QEMU TCG pops a ring-3 `lretq`/`iretq` frame with supervisor-mode accesses: SMAP refuses
  /// them on the (present, writable) user stack, so the fault says P=1, U/S=0 while the CPU was
  /// in ring 3. No change of the page tables can grant that access: the first such fault kills.
  @Test func aUserModeFaultReportedAsASupervisorAccessKills() throws {
    let (machine, stack) = try machineWithRegion([.read, .write])
    #expect(machine.touch(stack.start, .write) == .completed)
    let slot = VirtualAddress(stack.start + 8)!
    let (resolution, faults) = retry(machine) {
      machine.mmu.read(at: slot, mode: .supervisor).fault
    }
    #expect(
      resolution
        == .kill(KillReason(kind: .supervisorModeAccess, address: slot.value, access: .read)))
    #expect(faults == 1)
    #expect(machine.tearDownIsClean())
  }

  /// The same from a page never touched: the first fault (P=0) maps it, the next is the
  /// supervisor access again — still one kill, nothing leaked.
  @Test func aSupervisorAccessFromUserModeKillsBeforeBackingAnything() throws {
    let (machine, stack) = try machineWithRegion([.read, .write])
    let slot = VirtualAddress(stack.start)!
    let (resolution, faults) = retry(machine) {
      machine.mmu.read(at: slot, mode: .supervisor).fault
    }
    #expect(
      resolution
        == .kill(KillReason(kind: .supervisorModeAccess, address: slot.value, access: .read)))
    #expect(faults == 1)
    #expect(machine.space.residentFrames == 0)
    #expect(machine.tearDownIsClean())
  }

  /// A fault on a present page that already permits the access is spurious (a stale TLB
  /// entry): it is answered once with an invalidation of that page. The same fault again,
  /// with nothing changed in between, cannot be a stale entry any more: it kills.
  @Test func aSpuriousFaultIsRetriedOnceThenKills() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    #expect(machine.touch(range.start, .write) == .completed)
    let fault = PageFault(
      address: range.start + 4, errorCode: [.present, .user, .write], origin: .user)
    #expect(
      machine.space.handlePageFault(fault) == .resolved(.alreadyMapped))
    #expect(
      machine.space.handlePageFault(fault)
        == .kill(KillReason(kind: .noProgress, address: range.start + 4, access: .write)))
    #expect(machine.tearDownIsClean())
  }

  /// One instruction can fault on more than one page (an operand crossing a page boundary, a
  /// far return whose frame crosses one): spurious faults that alternate between pages are no
  /// more progress than one repeating.
  @Test func alternatingSpuriousFaultsKillToo() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    #expect(machine.touch(range.start, .write) == .completed)
    #expect(machine.touch(range.start + page, .write) == .completed)
    let first = PageFault(address: range.start, errorCode: [.present, .user], origin: .user)
    let second = PageFault(
      address: range.start + page, errorCode: [.present, .user], origin: .user)
    var answers: [FaultResolution] = []
    for _ in 0..<retryBound {
      for fault in [first, second] {
        let answer = machine.space.handlePageFault(fault)
        answers.append(answer)
        if case .resolved = answer { continue }
        break
      }
      if case .kill = answers.last! { break }
    }
    #expect(answers.count == 3)
    #expect(
      answers.last == .kill(KillReason(kind: .noProgress, address: range.start, access: .read)))
  }

  /// Progress in between starts the count again: a fault that changed something (here a
  /// demand fault on another page) means the process is not stuck.
  @Test func progressInBetweenAllowsAnotherRetry() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    #expect(machine.touch(range.start, .write) == .completed)
    let spurious = PageFault(
      address: range.start, errorCode: [.present, .user, .write], origin: .user)
    #expect(
      machine.space.handlePageFault(spurious)
        == .resolved(.alreadyMapped))
    #expect(machine.touch(range.start + 2 * page, .write) == .completed)
    #expect(
      machine.space.handlePageFault(spurious)
        == .resolved(.alreadyMapped))
    #expect(machine.tearDownIsClean())
  }

  /// A user-copy routine's fault that cannot progress becomes EFAULT (a `.kill` the kernel
  /// turns into an error), never a kernel that retries its own copy forever.
  @Test func aRepeatingUserCopyFaultBecomesAnError() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    #expect(machine.touch(range.start, .write) == .completed)
    let fault = PageFault(
      address: range.start, errorCode: [.present, .write], origin: .kernelAccessingUser)
    #expect(
      machine.space.handlePageFault(fault) == .resolved(.alreadyMapped))
    #expect(
      machine.space.handlePageFault(fault)
        == .kill(KillReason(kind: .noProgress, address: range.start, access: .write)))
  }

  /// Ordinary demand paging never trips the rule: a first read (zero page), the first write
  /// (private copy) and a write fault whose leaf lags the region each change something.
  @Test func demandFaultsAreProgress() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    for index in 0..<8 {
      let address = range.start + UInt64(index) * page
      #expect(machine.touch(address, .read) == .completed)
      #expect(machine.touch(address, .write) == .completed)
      #expect(machine.touch(address, .read) == .completed)
    }
    #expect(machine.space.resolvedFaults == 16)
    #expect(machine.tearDownIsClean())
  }
}
