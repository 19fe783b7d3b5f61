extension AddressSpace {
  /// The flags a present leaf mapping `frame` in a region of `kind` with `protection` must
  /// have: the region's protection — except that a private page is writable only while its
  /// frame is `anonymousExclusive` to this space.
  ///
  /// This is the one place that decides whether a user leaf may be writable, so no path
  /// (`mprotect`, a leaf lagging its region, an `mremap` move, a copy-on-write fault) can
  /// make a frame that another space may still map writable here: a frame shared by fork,
  /// the zero page (never exclusive) and a page cache page later all stay read-only in a
  /// private mapping, and the write fault that comes decides between copying and reusing
  /// (`breakCopyOnWrite`). Pages of shared memory are written in place by every space that
  /// maps them, so their leaves follow the protection alone.
  func leafFlags(
    mapping frame: PhysicalFrame, protection: Protection, kind: RegionKind
  ) -> PageTableFlags {
    var flags = protection.leafFlags
    if !kind.isShared, flags.contains(.writable),
      !physical.frameTable[frame].state.contains(.anonymousExclusive)
    {
      flags.remove(.writable)
    }
    return flags
  }

  /// `leafFlags(mapping:protection:kind:)` for a page of `region`.
  func leafFlags(mapping frame: PhysicalFrame, in region: Region) -> PageTableFlags {
    leafFlags(mapping: frame, protection: region.protection, kind: region.kind)
  }
}
