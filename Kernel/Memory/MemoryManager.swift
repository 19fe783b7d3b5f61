/// The kernel's memory manager state: the frame bitmap and the kernel's page map, once built.
///
/// One CPU, interrupts off: plain globals are enough.
enum MemoryManager {
  /// The kernel heap's virtual region: grows upward, mapped on demand. It must be in the lower
  /// half (Swift keeps flags in the top bits of object pointers): PML4 slot 255, the second of
  /// the kernel's two reserved lower-half slots (the image is in slot 254).
  static let heapBase: UInt64 = 0x0000_7f80_0000_0000
  /// Where the demonstration and self-tests map their scratch pages (PML4 slot 320).
  static let scratchBase: UInt64 = 0xffff_a000_0000_0000

  nonisolated(unsafe) static var bitmap: FrameBitmap? = nil
  nonisolated(unsafe) static var kernelMap: PageMap<DirectMap>? = nil
  /// The address space whose policy answers page faults: the kernel's own (no regions, so every
  /// kernel fault is a panic) until processes exist.
  nonisolated(unsafe) static var currentAddressSpace: AddressSpace<DirectMap, HardwareTLB>? = nil

  /// The frame source over the bitmap.
  static var frames: BitmapFrameSource { BitmapFrameSource(bitmap: bitmap!) }

  /// Frames the heap has taken for good (pages and their page tables): process frame
  /// accounting subtracts growth that happened while a process ran.
  nonisolated(unsafe) static var heapFramesTaken: UInt64 = 0

  /// Maps `pages` fresh frames at `address` (read-write, no-execute, global) for the heap;
  /// false when memory ran out (the heap then panics, so nothing is rolled back).
  static func growHeap(at address: UInt64, pages: Int) -> Bool {
    guard let map = kernelMap else { return false }
    var source = frames
    let freeBefore = source.bitmap.freeFrameCount
    defer { heapFramesTaken += freeBefore - source.bitmap.freeFrameCount }
    for index in 0..<pages {
      let page = VirtualAddress(canonical: address + UInt64(index) * PageSize.size4KiB.bytes)
      guard let frame = source.allocateFrame() else { return false }
      do {
        try map.map(page, to: frame, flags: KernelAddressSpace.dataFlags, frames: &source)
      } catch {
        source.releaseFrame(frame)
        return false
      }
    }
    return true
  }
}
