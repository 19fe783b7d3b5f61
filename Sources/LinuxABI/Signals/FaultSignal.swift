#if canImport(KernelMemory)
  import KernelMemory
#endif

extension KillReason {
  /// The signal the page trap's refusal becomes (arch/x86/mm/fault.c): SIGSEGV with si_addr =
  /// the fault address (CR2) and `SEGV_MAPERR` where nothing is mapped — no region, the main
  /// stack's guard gap, a kernel address — or `SEGV_ACCERR` where a region is there but
  /// forbids the access. A non-canonical address is a #GP on real hardware: `SI_KERNEL`,
  /// si_addr 0.
  public var signalInfo: SignalInfo {
    let code: Int32
    switch kind {
    case .notMapped, .stackGuard, .kernelAddress: code = SignalInfo.SEGV_MAPERR
    case .accessViolation, .supervisorModeAccess, .noProgress: code = SignalInfo.SEGV_ACCERR
    case .pastEndOfFile, .swapReadError: return Self.pastEndOfFile(address)
    case .nonCanonical:
      return SignalInfo(
        signal: .SIGSEGV, code: SignalInfo.SI_KERNEL, details: .fault(address: 0))
    }
    return SignalInfo(signal: .SIGSEGV, code: code, details: .fault(address: address))
  }

  /// A file mapping's page past the end of its file (the files issue): SIGBUS `BUS_ADRERR`.
  public static func pastEndOfFile(_ address: UInt64) -> SignalInfo {
    SignalInfo(signal: .SIGBUS, code: SignalInfo.BUS_ADRERR, details: .fault(address: address))
  }
}
