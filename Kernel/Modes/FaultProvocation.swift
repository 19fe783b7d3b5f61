import KernelSupport

/// Deliberate kernel faults, each expected to end in a specific panic report (the system tests
/// check the report and QEMU's exit status 35).
enum FaultProvocation {
  /// An address in the kernel half that nothing maps.
  static let unmappedAddress: UInt64 = 0xffff_a000_dead_b000
  /// A non-canonical address (bit 47 clear, bits 63..48 not copies of it).
  static let nonCanonicalAddress: UInt64 = 0x8000_0000_0000_0000

  static func unmappedWrite() -> Never {
    print("test=kernel-page-fault: writing to unmapped " + hexPadded(unmappedAddress))
    UnsafeMutablePointer<UInt64>(bitPattern: UInt(unmappedAddress))!.pointee = 0x5afe
    Panic.halt("the write to an unmapped address did not fault")
  }

  static func textWrite() -> Never {
    let target = kernel_image_layout_get().image_start
    print("test=kernel-text-write: writing to kernel text at " + hexPadded(target))
    UnsafeMutablePointer<UInt8>(bitPattern: UInt(target))!.pointee = 0xcc
    Panic.halt("the write to kernel text did not fault (CR0.WP off?)")
  }

  static func nonCanonicalRead() -> Never {
    print("test=general-protection: reading non-canonical " + hexPadded(nonCanonicalAddress))
    let value = UnsafeMutablePointer<UInt64>(bitPattern: UInt(nonCanonicalAddress))!.pointee
    Panic.halt("the non-canonical read did not fault (read " + hex(value) + ")")
  }

  static func stackOverflow() -> Never {
    let layout = kernel_image_layout_get()
    print("test=stack-overflow: recursing until the guard page at " + hexPadded(layout.stack_guard))
    stack_overflow_provoke(0)
    Panic.halt("the recursion returned")
  }

  /// Keeps allocating 1 MiB blocks: the heap grows until the frame bitmap is empty, then panics.
  static func heapExhaustion() -> Never {
    print("test=heap-exhaustion: allocating 1 MiB blocks until physical memory runs out")
    var blocks: [UnsafeMutableRawPointer] = []
    blocks.reserveCapacity(1024)
    while true {
      blocks.append(UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16))
      if blocks.count % 64 == 0 {
        print(
          "  " + String(blocks.count) + " MiB allocated, "
            + String(MemoryManager.bitmap!.freeFrameCount) + " frames free")
      }
    }
  }
}
