/// Where `AddressSpace.remap` may put a mapping: `mremap`'s `MREMAP_MAYMOVE` and
/// `MREMAP_FIXED`.
public enum RemapPlacement: Sendable, Equatable {
  /// Only where it is (no flag): shrink, or grow into the free pages after it.
  case inPlace
  /// Where it is if it fits, else anywhere (`MREMAP_MAYMOVE`).
  case mayMove
  /// Exactly here, replacing whatever was there (`MREMAP_MAYMOVE | MREMAP_FIXED`).
  case fixed(UInt64)
}

extension AddressSpace {
  /// Resizes and perhaps moves the mapping at `start` — `mremap`, with Linux's order of
  /// steps and answers. Lengths are page-aligned and non-zero (LinuxABI's `decodeRemap`).
  ///
  /// Only `start` itself must be mapped (`.notOneMapping` otherwise). A shrink (or same size)
  /// in place unmaps `[start + newLength, start + oldLength)` as `munmap` would, holes and
  /// other regions included. Anything else needs the part that stays, `[start, start +
  /// min(old, new))`, inside one region (`.notOneMapping`), and grows it in place when the
  /// pages after it are free, or moves it. `.fixed` first unmaps the target and the shrunk
  /// tail, as Linux does, even when the move then fails.
  ///
  /// The commit follows the pages: a region that is committed stays committed wherever it
  /// goes and whatever its protection says now — the grown part and the move's target are
  /// charged exactly when the source region is.
  ///
  /// - Returns: the mapping's new start.
  public func remap(
    start: UInt64, oldLength: UInt64, newLength: UInt64, placement: RemapPlacement
  ) throws(AddressSpaceError) -> UInt64 {
    guard let mapped = region(containing: start), mapped.kind != .guardPage else {
      throw .notOneMapping
    }
    var kept = oldLength
    if case .fixed(let destination) = placement {
      try release(
        userRange(start: destination, length: newLength))
    } else if newLength <= oldLength {
      try releaseTail(
        start: start, from: newLength, to: oldLength)
      return start
    }
    if newLength < oldLength {
      try releaseTail(
        start: start, from: newLength, to: oldLength)
      kept = newLength
    }
    guard let source = region(containing: start), source.kind != .guardPage,
      source.range.end - start >= kept
    else { throw .notOneMapping }
    let keptRange = VirtualRange(uncheckedStart: start, end: start + kept)
    switch placement {
    case .fixed(let destination):
      return try move(
        keptRange, of: source, length: newLength, to: .fixedNoReplace(destination))
    case .inPlace, .mayMove:
      if try grow(keptRange, of: source, to: newLength) {
        return start
      }
      guard placement == .mayMove else { throw .outOfMemory }
      return try move(
        keptRange, of: source, length: newLength, to: .anywhere)
    }
  }

  /// Unmaps `[start + newLength, start + oldLength)` (nothing when the lengths are equal).
  func releaseTail(
    start: UInt64, from newLength: UInt64, to oldLength: UInt64
  ) throws(AddressSpaceError) {
    guard newLength < oldLength else { return }
    try release(
      userRange(start: start + newLength, length: oldLength - newLength))
  }

  /// Grows `kept`, which ends `source`, in place to `newLength` when the pages after it are
  /// free: the new part has the region's protection and is committed exactly when the region
  /// is. Returns false when it cannot grow there; a commit refusal is `.outOfMemory`, not a
  /// reason to move (Linux answers `ENOMEM` then too).
  func grow(
    _ kept: VirtualRange, of source: Region, to newLength: UInt64
  ) throws(AddressSpaceError) -> Bool {
    guard kept.end == source.range.end else { return false }
    do throws(AddressSpaceError) {
      _ = try reserve(
        length: newLength - kept.length, protection: source.protection,
        kind: source.kind == .stack ? .anonymous : source.kind, at: .fixedNoReplace(kept.end),
        committed: source.isCommitted,
        continuing: source.object.map { ($0, source.objectPage(at: kept.end)) })
      return true
    } catch .outOfMemory {
      throw .outOfMemory
    } catch {
      return false
    }
  }

  /// Moves `kept` (inside `source`) to a new region of `length` bytes placed by `placement`:
  /// the backed frames change address (`moveBacking`, nothing is copied), then the old range
  /// is released.
  ///
  /// The charge moves with the pages: the source's share for its pages passes to the target
  /// before the target is charged, so a move costs only what it adds (the target's tables, a
  /// grown part) — as on Linux, a mapping larger than half the free commit can still move.
  /// The source keeps its tables' share until its tables are gone. The target is inserted
  /// unmerged and merged with its neighbours only once the source is released: merged with
  /// the source first, the source's release would have to split it again and charge anew.
  func move(
    _ kept: VirtualRange, of source: Region, length: UInt64, to placement: Placement
  ) throws(AddressSpaceError) -> UInt64 {
    try checkRegionLimitForMove()
    try split(at: kept.start)
    try split(at: kept.end)
    let target = try chooseRange(length: length, placement: placement)
    let charge = source.isCommitted ? source.worstCaseCharge(for: target) : 0
    // A private region's pages pass their charge on; an object's pages are the object's.
    let handedOver = source.isCommitted && !source.kind.isShared ? kept.pageCount : 0
    let sourceIndex = firstRegion(endingAfter: kept.start)
    let kind: RegionKind = source.kind.isShared ? .sharedAnonymous : .anonymous
    var moved = Region(range: target, protection: source.protection, kind: kind, charge: charge)
    moved.maximumProtection = source.maximumProtection
    moved.inheritLineage(of: source, at: kept.start)
    if let object = source.object {
      moved.object = object
      moved.objectOffset = source.objectPage(at: kept.start)
      try growObject(object, toPages: moved.objectOffset + target.pageCount)
    }
    physical.commit.refund(handedOver)
    guard physical.commit.charge(charge) else {
      let restored = physical.commit.charge(handedOver)
      precondition(restored, "a refunded charge could not be taken back")
      throw .outOfMemory
    }
    if let object = moved.object { retainObject(object) }
    regions[sourceIndex].charge -= handedOver
    regions.insert(moved, at: firstRegion(endingAfter: target.start))
    recordObjectMapping(moved)
    recordLineageMember(moved)
    do throws(AddressSpaceError) {
      try moveBacking(from: kept, to: target.start)
    } catch {
      preconditionFailure("a fresh, reserved target refused the move")
    }
    let index = firstRegion(endingAfter: kept.start)
    physical.commit.refund(regions[index].charge)
    let removed = regions.remove(at: index)
    forgetLineageMember(removed)
    if let object = removed.object {
      forgetObjectMapping(removed)
      releaseObject(object)
    }
    let targetIndex = firstRegion(endingAfter: target.start)
    mergeWithNext(targetIndex)
    if targetIndex > 0 { mergeWithNext(targetIndex - 1) }
    return target.start
  }
}
