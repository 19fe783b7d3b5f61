import KernelSupport

/// `test=qmp-idle`: prints the kernel's own view (its layout, and `PageMap.translate` for a
/// sample of addresses), then idles so that tests/system/test_qmp_oracle.py can stop QEMU and
/// hold that view against what QEMU's MMU sees (`info tlb`, `gva2gpa`).
///
/// Lines: `QMP-LAYOUT name start end`, `QMP-TRANSLATE virtual physical`, then `QMP-IDLE: ready`.
enum QMPIdle {
  /// Heap memory kept alive so that the heap has grown into its mapped region.
  nonisolated(unsafe) static var ballast: [UInt8] = []

  static func run() -> Never {
    ballast = [UInt8](repeating: 1, count: 1 << 20)
    let layout = kernel_image_layout_get()
    let map = MemoryManager.kernelMap!
    printRange("text", layout.image_start, layout.text_end)
    printRange("rodata", layout.text_end, layout.rodata_end)
    printRange("data", layout.rodata_end, layout.image_end)
    printRange(
      "kernel-lower-slots", layout.virtual_base, VirtualAddress.lowerHalfEnd)
    printRange("stack-guard", layout.stack_guard, layout.stack_bottom)
    let samples: [UInt64] = [
      layout.image_start, layout.image_start + 0x123, layout.text_end + 0x10,
      layout.rodata_end + 0x20,
      layout.stack_top - 8, MemoryManager.heapBase, MemoryManager.heapBase + 0x1008,
      directMapBase, directMapBase + 0x10_0000 + 0x456, directMapBase + 0x80_0000 + 0xabc,
    ]
    for address in samples {
      guard let virtual = VirtualAddress(address), let physical = map.translate(virtual) else {
        print("QMP-TRANSLATE " + hex(address) + " none")
        continue
      }
      print("QMP-TRANSLATE " + hex(address) + " " + physical.description)
    }
    print("QMP-IDLE: ready")
    haltForever()
  }

  static func printRange(_ name: String, _ start: UInt64, _ end: UInt64) {
    print("QMP-LAYOUT " + name + " " + hex(start) + " " + hex(end))
  }
}
