import KernelSupport

/// The boot report: the firmware memory map as a table, what the kernel reserved, the frame
/// totals, the kernel image's parts and the protection features in force.
enum BootSummary {
  static func print(
    boot: MultibootInformation, physical: PhysicalMemory.Setup, protection: ProtectionState
  ) {
    Swift.print(
      "Boot loader: " + boot.bootLoaderName + "; command line: \"" + boot.commandLine + "\"")
    printMemoryMap(boot.memoryMap)
    printReservations(physical.reserved)
    printTotals(boot.memoryMap, physical.bitmap)
    printKernelImage()
    Swift.print("Protection: " + protection.description)
    Swift.print(
      "Page tables: kernel tables built by PageMap, root "
        + activePageMap().root.address.description
        + "; boot identity map removed; direct map at " + hexPadded(directMapBase)
        + "; heap at " + hexPadded(MemoryManager.heapBase))
    Swift.print(
      "Boot complete after " + String(timestamp_counter_read()) + " TSC cycles since reset")
  }

  /// The summary when the boot runs programs (Multiboot modules): two lines instead of ~25.
  ///
  /// Why: the full report is ~2 KB through the emulated UART, one port write per byte plus the
  /// formatting code run once — about a tenth of the time from QEMU's start to a program's first
  /// instruction. `tools/run-elf` hides these lines anyway (Linux is booted `quiet` by
  /// `tools/run-linux` for the same reason); `make run` and the modes keep the full report.
  static func printBrief(physical: PhysicalMemory.Setup, protection: ProtectionState) {
    let frame = PageSize.size4KiB.bytes
    Swift.print(
      "Memory: allocator manages " + byteSize(physical.bitmap.usableFrameCount * frame)
        + ", free " + String(physical.bitmap.freeFrameCount) + " frames; protection: "
        + protection.description)
    Swift.print(
      "Boot complete after " + String(timestamp_counter_read()) + " TSC cycles since reset")
  }

  private static func printMemoryMap(_ entries: [MemoryMapEntry]) {
    Swift.print("Physical memory map (multiboot):")
    Swift.print("  " + padRight("start", 20) + padRight("end", 20) + padLeft("size", 12) + "  kind")
    for entry in entries {
      Swift.print(
        "  " + padRight(hexPadded(entry.range.start), 20)
          + padRight(hexPadded(entry.range.end), 20) + padLeft(byteSize(entry.range.length), 12)
          + "  " + entry.kind.description)
    }
  }

  private static func printReservations(_ reserved: [(range: PhysicalRange, why: String)]) {
    Swift.print("Reserved in the frame bitmap:")
    for item in reserved {
      Swift.print(
        "  " + padRight(item.range.description, 42) + padLeft(byteSize(item.range.length), 12)
          + "  " + item.why)
    }
  }

  private static func printTotals(_ entries: [MemoryMapEntry], _ bitmap: FrameBitmap) {
    var total: UInt64 = 0
    var usable: UInt64 = 0
    for entry in entries {
      total += entry.range.length
      if entry.kind.isUsable { usable += entry.range.length }
    }
    let frame = PageSize.size4KiB.bytes
    Swift.print(
      "Memory: total " + byteSize(total) + ", usable " + byteSize(usable)
        + ", reserved " + byteSize(total - usable) + "; allocator manages "
        + String(bitmap.usableFrameCount) + " frames (" + byteSize(bitmap.usableFrameCount * frame)
        + "), free " + String(bitmap.freeFrameCount) + " frames ("
        + byteSize(bitmap.freeFrameCount * frame) + ")")
  }

  private static func printKernelImage() {
    let layout = kernel_image_layout_get()
    let text = layout.text_end - layout.image_start
    let rodata = layout.rodata_end - layout.text_end
    let data = layout.image_end - layout.rodata_end
    Swift.print(
      "Kernel image: " + hexPadded(layout.image_start) + ".." + hexPadded(layout.image_end)
        + " (" + byteSize(layout.image_end - layout.image_start) + "): text " + byteSize(text)
        + " R+X, rodata " + byteSize(rodata) + " R+NX, data+bss+stack " + byteSize(data)
        + " RW+NX; stack guard page " + hexPadded(layout.stack_guard) + " unmapped")
  }
}
