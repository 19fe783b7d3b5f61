/// The process address spaces of this kernel: the core's `AddressSpace` over the direct map,
/// the hardware TLB and the frame bitmap.
typealias ProcessAddressSpace = AddressSpace<DirectMap, HardwareTLB, BitmapFrameSource>

/// The machine's physical-memory context: the frame bitmap, the commit ledger, the zero page
/// and the frame table, shared by every address space.
typealias KernelPhysicalMemory = PhysicalMemoryContext<BitmapFrameSource>

/// The kernel's memory manager: the kernel heap's growth and the ways to the machine's
/// physical-memory context and the kernel's own address space, which the `Machine` owns.
/// Which space a CPU runs is that CPU's (`Processor`), not kept here.
enum MemoryManager {
  /// The kernel heap's virtual region: grows upward, mapped on demand. It must be in the lower
  /// half (Swift keeps flags in the top bits of object pointers): PML4 slot 255, the second of
  /// the kernel's two reserved lower-half slots (the image is in slot 254).
  static let heapBase: UInt64 = 0x0000_7f80_0000_0000
  /// Where the demonstration and self-tests map their scratch pages (PML4 slot 320).
  static let scratchBase: UInt64 = 0xffff_a000_0000_0000

  /// The machine's frames, commit, zero page and frame table (nil before boot built them).
  static var physical: KernelPhysicalMemory? { Machine.booted?.physical }
  /// The kernel's own address space (`Machine.kernelSpace`; nil before boot built it).
  static var kernelSpace: ProcessAddressSpace? { Machine.booted?.kernelSpace }

  /// The frame bitmap (a handle: copies share it).
  static var bitmap: FrameBitmap? { physical?.frames.bitmap }
  /// The kernel's page map.
  static var kernelMap: PageMap<DirectMap>? { kernelSpace?.pageMap }

  /// The frame source over the bitmap.
  static var frames: BitmapFrameSource { physical!.frames }

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
