import KernelSupport

/// Setting up the frame allocator from the boot loader's memory map (the seed's "Physical":
/// a bitmap, with the kernel, boot data, modules, the low 1 MiB and everything not usable
/// reserved), the frame table beside it, and the zero page.
enum PhysicalMemory {
  /// Below 1 MiB live the real-mode IVT, BIOS data, EBDA, VGA memory and the BIOS ROM.
  static let lowMemoryEnd: UInt64 = 0x10_0000

  /// What went into the bitmap, for the boot summary.
  struct Setup {
    var bitmap: FrameBitmap
    var reserved: [(range: PhysicalRange, why: String)]
    var frameLimit: UInt64
    /// The context built over the bitmap (commit limit 0 until `ProcessRunner.prepare`).
    var context: KernelPhysicalMemory
  }

  /// Builds the bitmap and the frame table, placing their storage in the first free runs of
  /// usable RAM, then the context with a zeroed zero page.
  static func initialize(_ boot: MultibootInformation) -> Setup {
    var reserved = reservations(boot)
    let memoryMap = MemoryMap(boot.memoryMap)
    let frameLimit = memoryMap.frameLimit
    let storageFrames = FrameBitmap.requiredStorageFrames(frameCount: frameLimit)
    let ranges = reserved.map { $0.range }
    guard let storage = memoryMap.findFreeFrames(count: storageFrames, avoiding: ranges) else {
      Panic.halt("no room for the frame bitmap (" + String(storageFrames) + " frames)")
    }
    reserved.append(
      (PhysicalRange(first: storage, count: storageFrames), "frame bitmap storage"))
    let table = carveFrameTable(memoryMap, frameLimit: frameLimit, reserved: &reserved)
    let words = FrameBitmap.requiredStorageWords(frameCount: frameLimit)
    let buffer = UnsafeMutableBufferPointer(
      start: DirectMap.pointer(storage.address).assumingMemoryBound(to: UInt64.self), count: words)
    do {
      let bitmap = try FrameBitmap(
        memoryMap: memoryMap, reserving: reserved.map { $0.range }, storage: buffer)
      var source = BitmapFrameSource(bitmap: bitmap)
      guard let zeroPage = source.allocateFrame() else { Panic.halt("no frame for the zero page") }
      DirectMap().zero(zeroPage)
      let context = KernelPhysicalMemory(
        frames: source, commitLimit: 0, frameTable: table, zeroPage: zeroPage)
      return Setup(bitmap: bitmap, reserved: reserved, frameLimit: frameLimit, context: context)
    } catch {
      Panic.halt("frame bitmap: " + describe(error))
    }
  }

  /// The frame table's storage (`FrameInfo.bytesPerFrame` per frame), in the first free run
  /// after the bitmap's, reserved like it.
  static func carveFrameTable<Entries>(
    _ memoryMap: MemoryMap<Entries>, frameLimit: UInt64,
    reserved: inout [(range: PhysicalRange, why: String)]
  ) -> FrameTable {
    let frames = FrameTable.requiredStorageFrames(frameCount: frameLimit)
    guard let storage = memoryMap.findFreeFrames(count: frames, avoiding: reserved.map { $0.range })
    else { Panic.halt("no room for the frame table (" + String(frames) + " frames)") }
    reserved.append((PhysicalRange(first: storage, count: frames), "frame table storage"))
    let records = UnsafeMutableBufferPointer(
      start: DirectMap.pointer(storage.address).assumingMemoryBound(to: FrameInfo.self),
      count: FrameTable.requiredStorageRecords(frameCount: frameLimit))
    return FrameTable(frameCount: frameLimit, storage: records)
  }

  /// Everything in RAM that is not free for the taking.
  static func reservations(_ boot: MultibootInformation) -> [(range: PhysicalRange, why: String)] {
    let layout = kernel_image_layout_get()
    var reserved: [(range: PhysicalRange, why: String)] = [
      (PhysicalRange(start: 0, end: lowMemoryEnd), "low 1 MiB (BIOS, VGA)"),
      (
        PhysicalRange(start: layout.boot_start, end: layout.image_end - layout.virtual_base),
        "kernel image"
      ),
    ]
    for data in boot.bootData { reserved.append((data, "multiboot data")) }
    for module in boot.modules { reserved.append((module.range, "module " + module.name)) }
    return reserved
  }
}
