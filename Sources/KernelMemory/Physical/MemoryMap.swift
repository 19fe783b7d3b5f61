/// The firmware's memory map, read with the two rules that make a messy one safe.
///
/// Entries may be unsorted, overlapping and unaligned. Sorting or merging them would need a heap,
/// which the kernel does not have yet, so every conflict is settled by rules that do not depend on
/// order: a usable entry contributes only the whole frames inside it, and an entry of any other
/// kind claims every frame it touches and wins over usable on overlap. `Entries` is any collection
/// the kernel can build without a heap (an `UnsafeBufferPointer` over the boot loader's table, an
/// `InlineArray`, a custom view of Multiboot tags).
public struct MemoryMap<Entries: Collection<MemoryMapEntry>> {
  /// The entries as the firmware reported them.
  public let entries: Entries

  /// Wraps the firmware's entries; nothing is copied.
  @inlinable public init(_ entries: Entries) { self.entries = entries }

  /// One past the highest usable frame number: how many frames a bitmap must cover.
  ///
  /// Reserved entries above the last RAM (MMIO windows near 4 GiB or at the top of the address
  /// space) do not count, so they cannot inflate the bitmap.
  public var frameLimit: UInt64 {
    var limit: UInt64 = 0
    for entry in entries where entry.kind.isUsable {
      limit = max(limit, entry.range.framesInside.upperBound)
    }
    return limit
  }

  /// Whether the map makes `frame` usable (ignoring any reservation the kernel adds).
  ///
  /// Linear in the number of entries: for checks and tests, not for the allocator's hot path.
  public func isUsable(_ frame: PhysicalFrame) -> Bool {
    var insideUsable = false
    for entry in entries {
      if entry.kind.isUsable {
        insideUsable = insideUsable || entry.range.framesInside.contains(frame.number)
      } else if entry.range.framesTouched.contains(frame.number) {
        return false
      }
    }
    return insideUsable
  }

  /// The first frame of `count` consecutive usable frames, inside one usable entry, that touch no
  /// other kind of entry and none of `reserved`; nil when there is no such run.
  ///
  /// This is where the kernel can put the frame bitmap's own storage before any allocator exists;
  /// it must then reserve the frames it takes. Quadratic in the number of entries and ranges, which
  /// are a few dozen at boot.
  public func findFreeFrames(
    count: UInt64, avoiding reserved: some Collection<PhysicalRange>
  ) -> PhysicalFrame? {
    guard count > 0 else { return nil }
    for entry in entries where entry.kind.isUsable {
      let usable = entry.range.framesInside
      var first = usable.lowerBound
      while usable.upperBound - first >= count {
        let candidate = first..<(first + count)
        guard let blockerEnd = firstConflictEnd(candidate, reserved) else {
          return PhysicalFrame(number: first)
        }
        first = blockerEnd
        if first >= usable.upperBound { break }
      }
    }
    return nil
  }

  /// The end of some non-usable entry or reserved range that overlaps `frames`, or nil.
  ///
  /// Any run starting before that end would overlap the same blocker, so the search may skip to it.
  func firstConflictEnd(
    _ frames: Range<UInt64>, _ reserved: some Collection<PhysicalRange>
  ) -> UInt64? {
    for entry in entries where !entry.kind.isUsable {
      let touched = entry.range.framesTouched
      if touched.overlaps(frames) { return touched.upperBound }
    }
    for range in reserved {
      let touched = range.framesTouched
      if touched.overlaps(frames) { return touched.upperBound }
    }
    return nil
  }
}
