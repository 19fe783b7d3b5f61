/// The frame bitmap as the core's `FrameSource`: where page tables and heap pages come from.
///
/// A frame the bitmap refuses to take back is a kernel bug (double free, or a frame that was
/// never handed out), so it panics.
struct BitmapFrameSource: FrameSource {
  let bitmap: FrameBitmap

  mutating func allocateFrame() -> PhysicalFrame? { bitmap.allocate() }

  mutating func releaseFrame(_ frame: PhysicalFrame) {
    do {
      try bitmap.free(frame)
    } catch {
      Panic.halt("frame bitmap rejected freeing " + frame.description + ": " + describe(error))
    }
  }
}

/// A readable name for a frame-allocator error.
func describe(_ error: FrameAllocatorError) -> String {
  switch error {
  case .outOfMemory: return "out of memory"
  case .doubleFree(let frame): return "double free of " + frame.description
  case .reservedFrame(let frame): return frame.description + " is reserved"
  case .outOfRange(let frame): return frame.description + " is beyond memory"
  case .frameInUse(let frame): return frame.description + " is in use"
  case .invalidRequest: return "invalid request"
  case .storageTooSmall(let words):
    return "bitmap storage too small (" + String(words) + " words needed)"
  case .noUsableMemory: return "no usable memory"
  }
}

/// A readable name for a page-table error.
func describe(_ error: PageMapError) -> String {
  switch error {
  case .alreadyMapped: return "already mapped"
  case .notMapped: return "not mapped"
  case .hugePageInTheWay(let level): return "a huge page at " + level.description + " is in the way"
  case .outOfFrames: return "out of frames for page tables"
  case .misaligned: return "misaligned"
  case .wrongHalf: return "wrong half of the address space"
  }
}
