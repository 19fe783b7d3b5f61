import KernelMemory

/// Loads and stores through the MMU, as a program running on the CPU would make them.
///
/// Tests of the page map and of the page-fault policy "touch" memory with these: a result of
/// `.failure` is the exception the access would raise, with the error code the kernel's handler
/// would receive.
extension SoftwareMMU {
  /// Reads the byte at `address` in `mode`.
  public func read(at address: VirtualAddress, mode: PrivilegeMode, overridesSMAP: Bool = false)
    -> Result<UInt8, MMUFault>
  {
    access(address, MMUAccess(.read, mode, overridesSMAP: overridesSMAP)).map(ram.read(at:))
  }

  /// Writes `byte` at `address` in `mode`.
  public func write(
    _ byte: UInt8, at address: VirtualAddress, mode: PrivilegeMode, overridesSMAP: Bool = false
  ) -> Result<Void, MMUFault> {
    access(address, MMUAccess(.write, mode, overridesSMAP: overridesSMAP)).map {
      ram.write(byte, at: $0)
    }
  }

  /// Fetches the instruction byte at `address` in `mode`.
  public func fetch(at address: VirtualAddress, mode: PrivilegeMode) -> Result<UInt8, MMUFault> {
    access(address, MMUAccess(.execute, mode)).map(ram.read(at:))
  }

  /// Reads `count` bytes from `address` on, page by page; the first fault ends the copy, as it
  /// would end a `rep movsb` (bytes before it were read, the fault is what the caller sees).
  public func read(
    count: Int, from address: VirtualAddress, mode: PrivilegeMode, overridesSMAP: Bool = false
  ) -> Result<[UInt8], MMUFault> {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    for offset in 0..<count {
      guard let current = address.adding(UInt64(offset)) else {
        return .failure(.generalProtection)
      }
      switch read(at: current, mode: mode, overridesSMAP: overridesSMAP) {
      case .success(let byte): bytes.append(byte)
      case .failure(let fault): return .failure(fault)
      }
    }
    return .success(bytes)
  }

  /// Writes `bytes` from `address` on; stops at the first fault, leaving the bytes before it
  /// written, as a real copy would.
  public func write(
    _ bytes: [UInt8], at address: VirtualAddress, mode: PrivilegeMode, overridesSMAP: Bool = false
  ) -> Result<Void, MMUFault> {
    for (offset, byte) in bytes.enumerated() {
      guard let current = address.adding(UInt64(offset)) else {
        return .failure(.generalProtection)
      }
      if case .failure(let fault) = write(
        byte, at: current, mode: mode, overridesSMAP: overridesSMAP)
      {
        return .failure(fault)
      }
    }
    return .success(())
  }

  /// The physical address `access` reaches at `address`, or the fault it raises.
  private func access(_ address: VirtualAddress, _ access: MMUAccess) -> Result<
    PhysicalAddress, MMUFault
  > {
    switch translate(address, for: access) {
    case .translated(let physical): return .success(physical)
    case .pageFault(let faulting, let code):
      return .failure(.pageFault(address: faulting, errorCode: code))
    case .generalProtection: return .failure(.generalProtection)
    }
  }
}

extension Result where Failure == MMUFault {
  /// The fault, or nil when the access succeeded: `#expect(mmu.write(…).fault == nil)`.
  public var fault: MMUFault? {
    if case .failure(let fault) = self { return fault }
    return nil
  }
}
