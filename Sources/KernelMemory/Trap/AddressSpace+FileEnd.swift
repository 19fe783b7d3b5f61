extension AddressSpace {
  /// Whether the page holding `address` (inside `region`) maps an object page past the
  /// object's end: for a file, a page starting at or after the end of the file rounded up to
  /// whole pages (its last, partial page reads zeros past the end; the next one does not
  /// exist). Linux's `filemap_fault` answers `VM_FAULT_SIGBUS` there, whatever the access —
  /// also for a private mapping's write, which would copy a page that is not there.
  ///
  /// An anonymous shared object always covers its regions (it grows with them), so only a
  /// mapping of a file can be past its end.
  func isPastEndOfObject(_ region: Region, page address: UInt64) -> Bool {
    guard let object = region.object else { return false }
    let page = address & ~PageSize.size4KiB.offsetMask
    return region.objectPage(at: page) >= physical.objects[object].pageCount
  }
}
