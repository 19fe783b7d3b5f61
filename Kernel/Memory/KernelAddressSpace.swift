import KernelSupport

/// The kernel's own page tables, built with the core's `PageMap` to replace the boot tables.
///
/// | range                                   | what                     | flags            |
/// |-----------------------------------------|--------------------------|------------------|
/// | 0xffff_8000_0000_0000 + RAM size        | direct map of all RAM    | RW NX G, 1G/2M   |
/// | 0xffff_a000_0000_0000 …                 | demo / self-test scratch | per test         |
/// | 0xffff_e000_0000_0000 …                 | kernel stacks (slot 448), each below an unmapped guard page | RW NX G, 4K |
/// | 0x0000_7f00_0010_0000 + image           | .text / .rodata / .data+.bss | RX / R NX / RW NX, G |
/// | 0x0000_7f80_0000_0000 …                 | kernel heap (grows)      | RW NX G, 4K      |
///
/// The image (PML4 slot 254) and the heap (slot 255) sit in the kernel's two reserved slots at
/// the top of the lower half (`UserLayout.firstKernelSlot`; see `KERNEL_VIRTUAL_BASE` in
/// Kernel/kernel.mk for why not the top 2 GiB); nothing else of the lower half is mapped (the
/// boot identity map is gone), nor the guard page below the kernel stack. Every kernel slot
/// gets its PDPT now, so address spaces created later share the kernel's part by copying those
/// 258 PML4 entries once.
enum KernelAddressSpace {
  /// Text: read + execute.
  static let textFlags: PageTableFlags = [.global]
  /// Read-only data.
  static let readOnlyFlags: PageTableFlags = [.noExecute, .global]
  /// Data, bss, stacks, heap, direct map.
  static let dataFlags: PageTableFlags = [.writable, .noExecute, .global]
  /// Kernel-half intermediate entries: no user bit, so no user access is possible below them.
  static let kernelIntermediateFlags: PageTableFlags = [.present, .writable]

  /// Builds the tables from `frames`: kernel image by section, direct map of [0, `memoryEnd`).
  static func build(memoryEnd: UInt64, features: CPUFeatures, frames: BitmapFrameSource)
    -> PageMap<DirectMap>
  {
    var source = frames
    do {
      let map = try PageMap(memory: DirectMap(), frames: &source)
      try createKernelHalf(map, &source)
      try mapKernelImage(map, &source)
      try mapDirectMap(map, &source, memoryEnd: memoryEnd, gibibytePages: features.gibibytePages)
      return map
    } catch {
      Panic.halt("building the kernel page tables: " + describe(error))
    }
  }

  private static func createKernelHalf(_ map: PageMap<DirectMap>, _ source: inout BitmapFrameSource)
    throws(PageMapError)
  {
    let imageSlot = VirtualAddress(canonical: kernel_image_layout_get().virtual_base).pml4Index
    let heapSlot = VirtualAddress(canonical: MemoryManager.heapBase).pml4Index
    for slot in [imageSlot, heapSlot]
      + Array(PageMap<DirectMap>.firstKernelSlot..<pageTableEntryCount)
    {
      let address = VirtualAddress(
        truncatingToCanonical: UInt64(slot) << PageTableLevel.pml4.indexShift)
      _ = try map.locate(
        address, at: .pageDirectoryPointerTable, creatingWith: kernelIntermediateFlags,
        frames: &source)
    }
  }

  private static func mapKernelImage(_ map: PageMap<DirectMap>, _ source: inout BitmapFrameSource)
    throws(PageMapError)
  {
    let layout = kernel_image_layout_get()
    try mapRange(map, &source, layout.image_start..<layout.text_end, textFlags)
    try mapRange(map, &source, layout.text_end..<layout.rodata_end, readOnlyFlags)
    try mapRange(map, &source, layout.rodata_end..<layout.stack_guard, dataFlags)
    try mapRange(map, &source, layout.stack_bottom..<layout.image_end, dataFlags)
  }

  /// Maps each 4 KiB page of a range of the kernel image to its physical page.
  private static func mapRange(
    _ map: PageMap<DirectMap>, _ source: inout BitmapFrameSource, _ range: Range<UInt64>,
    _ flags: PageTableFlags
  ) throws(PageMapError) {
    let virtualBase = kernel_image_layout_get().virtual_base
    var address = range.lowerBound
    while address < range.upperBound {
      let frame = PhysicalFrame(number: (address - virtualBase) >> PageSize.size4KiB.shift)
      try map.map(VirtualAddress(canonical: address), to: frame, flags: flags, frames: &source)
      address += PageSize.size4KiB.bytes
    }
  }

  /// The direct map with the largest pages that fit: 1 GiB where aligned and supported, else 2 MiB.
  private static func mapDirectMap(
    _ map: PageMap<DirectMap>, _ source: inout BitmapFrameSource, memoryEnd: UInt64,
    gibibytePages: Bool
  ) throws(PageMapError) {
    let end = (memoryEnd + PageSize.size2MiB.offsetMask) & ~PageSize.size2MiB.offsetMask
    var physical: UInt64 = 0
    while physical < end {
      let size: PageSize =
        gibibytePages && physical & PageSize.size1GiB.offsetMask == 0
          && end - physical >= PageSize.size1GiB.bytes ? .size1GiB : .size2MiB
      try map.map(
        VirtualAddress(canonical: directMapBase + physical),
        to: PhysicalAddress(physical)!.frame, size: size, flags: dataFlags, frames: &source)
      physical += size.bytes
    }
  }
}
