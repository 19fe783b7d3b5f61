import KernelSupport

/// Vector 14: the page trap.
///
/// A fault at a memory probe's access instruction resumes at the probe's recovery label (the
/// deliberate "does this address fault?" checks of the demo and self-tests). Every other fault
/// becomes the core's `PageFault` and goes to the core's policy, `AddressSpace.handlePageFault`,
/// of the running address space; the kernel only carries out the answer: `.resolved` returns
/// (the instruction is retried), `.panic` stops the machine with the report below (the seed:
/// "If we are kernel we panic the whole system"). `.kill` for a fault in a user-access routine
/// (`user_memory_read`/`write`) resumes at its recovery label (EFAULT); from ring 3 it kills the
/// running process (`ProcessFaults`), and with no process running it is reported as a panic.
///
/// The origin comes from the interrupted CS, not from the error code: only the saved CPL says
/// the CPU was in ring 3. The policy compares it with the error code's U/S bit — a ring-3
/// fault reported as a supervisor-mode access (QEMU TCG's `lretq`/`iretq` pops) is killed,
/// never retried.
enum PageFaultTrap {
  /// The last fault a probe absorbed: what the demo and self-tests check.
  nonisolated(unsafe) static var lastProbeFault = (address: UInt64(0), errorCode: UInt64(0))
  /// How many faults probes absorbed.
  nonisolated(unsafe) static var probeFaultCount: UInt64 = 0

  static func handle(_ frame: UnsafeMutablePointer<TrapFrame>) {
    let address = page_fault_address_read()
    // A fault from ring 3 (the demand fault every first touch takes) cannot be at a probe or a
    // user-access routine, which are kernel code: skip straight to the policy.
    if frame.pointee.cs & privilegeLevelMask != 0 {
      handleWithPolicy(address, .user, userAccessRecovery: 0, frame)
      return
    }
    let recovery = memory_probe_recovery_for(frame.pointee.rip)
    if recovery != 0 {
      lastProbeFault = (address, frame.pointee.error_code)
      probeFaultCount &+= 1
      frame.pointee.rip = recovery
      return
    }
    let executeRecovery = memory_probe_execute_recovery_for(frame.pointee.rip)
    if executeRecovery != 0 {
      lastProbeFault = (address, frame.pointee.error_code)
      probeFaultCount &+= 1
      frame.pointee.rip = executeRecovery
      frame.pointee.rsp += UInt64(MemoryLayout<UInt64>.size)  // the probe's CALL return address
      return
    }
    let userAccessRecovery = UserMemory.recovery(for: frame.pointee.rip)
    handleWithPolicy(
      address, userAccessRecovery != 0 ? .kernelAccessingUser : .kernel,
      userAccessRecovery: userAccessRecovery, frame)
  }

  /// The CPL bits of a saved CS: non-zero when the fault came from ring 3.
  static let privilegeLevelMask: UInt64 = 3

  /// Asks the running address space's policy about the fault and carries out the answer.
  ///
  /// The policy is the CPU's current space's (`Processor`): the one its CR3 holds.
  static func handleWithPolicy(
    _ address: UInt64, _ origin: FaultOrigin, userAccessRecovery: UInt64,
    _ frame: UnsafeMutablePointer<TrapFrame>
  ) {
    if origin != .kernel { Reclaimer.atSafePoint() }  // a user address: the fault may take frames
    let fault = PageFault(
      address: address, errorCode: PageFaultErrorCode(rawValue: frame.pointee.error_code),
      origin: origin)
    guard let processor = Processor.bootProcessor.map(Unmanaged.passUnretained) else {
      panicForFault(fault, .kernelFault(fault), frame)  // before the kernel's tables exist
    }
    // Unretained: the processor and its space outlive any fault (a space is switched only by
    // the scheduler, never inside the policy), and a retain/release pair of each was ~65 of a
    // demand fault's instructions.
    let resolution = processor._withUnsafeGuaranteedRef { processor in
      Unmanaged.passUnretained(processor.space)._withUnsafeGuaranteedRef { space in
        space.handlePageFault(fault)
      }
    }
    switch resolution {
    case .resolved: return
    case .panic(let reason): panicForFault(fault, reason, frame)
    case .swap(let request):  // the page is on swap: read it (or wait, or reclaim), retry
      guard let reason = SwapService.resolve(request) else { return }  // .swapReadError
      if origin == .kernelAccessingUser {
        frame.pointee.rip = userAccessRecovery
      } else {
        ProcessFaults.kill(reason, frame)  // SIGBUS, as Linux's VM_FAULT_SIGBUS on a read error
      }
    case .kill where origin == .kernelAccessingUser:
      frame.pointee.rip = userAccessRecovery  // the system call fails with EFAULT
    case .kill(let reason) where ProcessRunner.current != nil:
      ProcessFaults.kill(reason, frame)
    case .kill(let reason):
      Panic.report("process fault with no process to kill: " + reason.description) {
        Panic.printState(frame)
        PageTableWalk.print(fault.address)
      }
    }
  }

  /// The panic report: the core's reason, address, decoded error code, where, registers,
  /// page-table walk.
  static func panicForFault(
    _ fault: PageFault, _ reason: PanicReason, _ frame: UnsafeMutablePointer<TrapFrame>
  ) -> Never {
    Panic.report(reason.description) {
      print("  fault address (CR2): " + hexPadded(fault.address))
      print(
        "  error code: " + hex(fault.errorCode.rawValue) + " = " + errorBits(fault.errorCode)
          + " (" + fault.errorCode.description + ")")
      print(
        "  faulting instruction: RIP " + hexPadded(frame.pointee.rip) + " "
          + KernelSymbols.describe(frame.pointee.rip) + " in "
          + Panic.privilegeName(frame.pointee.cs))
      Panic.printState(frame)
      PageTableWalk.print(fault.address)
    }
  }

  /// Each architectural bit by its manual name: "P=0 W/R=1 U/S=0 RSVD=0 I/D=0".
  static func errorBits(_ code: PageFaultErrorCode) -> String {
    func bit(_ name: String, _ flag: PageFaultErrorCode) -> String {
      name + (code.contains(flag) ? "=1" : "=0")
    }
    return bit("P", .present) + " " + bit("W/R", .write) + " " + bit("U/S", .user) + " "
      + bit("RSVD", .reservedBit) + " " + bit("I/D", .instructionFetch)
  }
}
