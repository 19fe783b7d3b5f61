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
    var cursor = start
    var index = firstRegion(endingAfter: start)
    while cursor < end {
      guard index < regions.count, regions[index].range.start <= cursor,
        regions[index].kind != .guardPage, regions[index].protection.permits(access)
      else { return false }
      cursor = regions[index].range.end
      index += 1
    }
    return true
  }
}
