import KernelMemory

/// The outcome of one access through the software MMU: where it lands, or the exception the CPU
/// would raise instead.
public enum MMUTranslation: Hashable, Sendable, CustomStringConvertible {
  /// The access is allowed and reaches this physical byte.
  case translated(PhysicalAddress)
  /// A page fault (#PF): CR2 would hold `address`, the pushed error code `errorCode`.
  case pageFault(address: VirtualAddress, errorCode: PageFaultErrorCode)
  /// A general-protection fault (#GP): the address was not canonical, so paging never ran.
  case generalProtection

  /// The physical address, when the access was allowed.
  public var physicalAddress: PhysicalAddress? {
    if case .translated(let address) = self { return address }
    return nil
  }

  /// The page-fault error code, when the access page-faulted.
  public var pageFaultErrorCode: PageFaultErrorCode? {
    if case .pageFault(_, let code) = self { return code }
    return nil
  }

  public var description: String {
    switch self {
    case .translated(let address): return "→ " + address.description
    case .pageFault(let address, let code): return "#PF at \(address) [\(code)]"
    case .generalProtection: return "#GP"
    }
  }
}

/// Why an access through the MMU did not complete: the exception the CPU would raise.
public enum MMUFault: Error, Hashable, Sendable {
  /// A page fault at `address` with `errorCode`.
  case pageFault(address: VirtualAddress, errorCode: PageFaultErrorCode)
  /// A general-protection fault (non-canonical address).
  case generalProtection
}

extension MMUFault {
  /// The page fault as the core's trap policy receives it, or nil for a #GP (which is not a
  /// page fault and never reaches that policy).
  public func pageFault(origin: FaultOrigin) -> PageFault? {
    guard case .pageFault(let address, let code) = self else { return nil }
    return PageFault(address: address.value, errorCode: code, origin: origin)
  }
}
