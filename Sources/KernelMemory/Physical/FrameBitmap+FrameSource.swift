/// The bitmap as the page map's source of page-table frames.
///
/// `FrameSource` promises that only frames it handed out come back, so a frame the bitmap refuses
/// here is a kernel bug (a double free of a page table), and the only safe response is to stop.
extension FrameBitmap: FrameSource {
  /// One free frame, or nil when memory is exhausted.
  public mutating func allocateFrame() -> PhysicalFrame? { allocate() }

  /// Returns a frame; traps if it was not allocated (see the extension's note).
  public mutating func releaseFrame(_ frame: PhysicalFrame) {
    do throws(FrameAllocatorError) {
      try free(frame)
    } catch {
      preconditionFailure("releaseFrame: frame was not allocated")
    }
  }
}
