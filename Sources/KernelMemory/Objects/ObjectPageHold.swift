/// The kernel's hold on an object page while it copies bytes to or from it through the direct
/// map (`read`, `write` of a tmpfs file): counted as one mapping more (`FrameInfo.mapCount`).
///
/// Why a hold: the copy touches the user's buffer, and a fault there may sleep (a swap-in of
/// the buffer's page, a reclaim pass). Meanwhile another thread runs: reclaim must not swap
/// the page out or drop it (it takes only pages no leaf maps, and this counts as one), and a
/// truncation that drops it must not free the frame under the copy — `dropPages` leaves a
/// mapped frame to its last mapper, and the release here is that last mapper.
///
/// LOCK: the object's lock around the hold and the release (not across the copy: the hold is
/// what makes that safe).
extension PhysicalMemoryContext {
  /// Holds `frame` (a page of a memory object) for a copy.
  public func holdObjectPage(_ frame: PhysicalFrame) {
    frameTable.recordMapping(of: frame)
  }

  /// Ends `holdObjectPage`; frees the frame when a truncation dropped it from its object
  /// during the copy (nothing maps it any more).
  public func releaseObjectPage(_ frame: PhysicalFrame) {
    if frameTable.recordUnmapping(of: frame) { releaseFrame(frame) }
  }
}
