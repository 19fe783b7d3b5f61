extension AddressSpace {
  /// Reserves `length` bytes at `placement` as a shared mapping of `object` from its page
  /// `page` on (`mmap(MAP_SHARED)` of a file): every access reaches the object's own pages,
  /// written in place, the same frames every other mapping of the object — shared or
  /// private, in any space — reads. Its pages are the object's, charged once with it; the
  /// region is charged only the page tables it may need (`Region.worstCaseCharge`), as Linux
  /// does not account shared file pages.
  ///
  /// The mapping may be longer than the object: its pages past the object's end are SIGBUS
  /// (`isPastEndOfObject`), and mapping them does not grow a file's object.
  public func reserveSharedMapping(
    of object: MemoryObjectID, page: UInt64, length: UInt64, protection: Protection,
    at placement: Placement
  ) throws(AddressSpaceError) -> VirtualRange {
    try reserve(
      length: length, protection: protection, kind: .sharedAnonymous, at: placement,
      committed: !protection.isEmpty, continuing: (object, page))
  }

  /// Reserves a `MAP_SHARED` mapping of a file opened read-only: its pages can never be
  /// written, so it is mapped as a private mapping of `object` (Linux's `do_mmap` clears
  /// `VM_SHARED` for it), charged like one, and it may never become writable — Linux also
  /// clears `VM_MAYWRITE`, so `mprotect(PROT_WRITE)` there is `.beyondMaximumProtection`
  /// (`EACCES`). /proc/PID/maps still shows it `s` (`Region.isMappedShared`).
  public func reserveReadOnlySharedMapping(
    of object: MemoryObjectID, page: UInt64, length: UInt64, protection: Protection,
    at placement: Placement
  ) throws(AddressSpaceError) -> VirtualRange {
    try reserve(
      length: length, protection: protection, kind: .anonymous, at: placement,
      committed: !protection.isEmpty, continuing: (object, page),
      maximum: Protection.all.subtracting(.write))
  }
}
