extension AddressSpace {
  /// Whether the process may make `access` to every byte of `[start, start + length)`: all of
  /// it reserved, by regions whose protection permits the access.
  ///
  /// The kernel asks this before touching user memory on the process's behalf: a `PROT_NONE`
  /// page keeps a present, supervisor-only mapping (so its contents survive), which the
  /// kernel itself could reach without a fault — the system call must still fail with `EFAULT`.
  public func permits(_ access: AccessKind, start: UInt64, length: UInt64) -> Bool {
    guard length != 0 else { return true }
    let (end, overflow) = start.addingReportingOverflow(length)
    guard !overflow, end <= UserLayout.end else { return false }
    // One descent of the region tree per region the range crosses (`slot(containing:)`), not
    // an index lookup per field: every read and write system call asks this of its buffer.
    var cursor = start
    while cursor < end {
      guard let (_, region) = regions.slot(containing: cursor), region.kind != .guardPage,
        region.protection.permits(access)
      else { return false }
      cursor = region.range.end
    }
    return true
  }
}
