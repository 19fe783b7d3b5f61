import KernelSupport

/// Device registers in physical address space (memory-mapped I/O), mapped uncached into the
/// kernel's part of every address space.
///
/// The direct map covers RAM only (and with write-back caching, which device registers must
/// never get: a cached read returns a stale value, a write may never reach the device), so a
/// device page gets its own mapping in the device window, PML4 slot 384 — at
/// `deviceWindowBase + physical address`, so the place follows from the device and no table of
/// allocations is needed. The leaf sets PCD and PWT: with the power-on PAT that selects PAT
/// entry 3, UC (strong uncacheable; SDM Vol. 3A, "Page Attribute Table", the table "Selection
/// of PAT Entries with PAT, PCD, and PWT Flags"), whatever the MTRRs say.
///
/// The kernel half's PDPTs exist from boot and every address space shares them, so a mapping
/// made here, at any time, is visible in every process.
enum DeviceMemory {
  /// The device window: slot 384, half-way through the upper half, above the direct map
  /// (slot 256 on) and the scratch area (slot 320).
  static let deviceWindowBase: UInt64 = 0xffff_c000_0000_0000
  /// Kernel-only, writable, never executed, uncached (PCD + PWT), global.
  static let deviceFlags: PageTableFlags = [
    .writable, .noExecute, .cacheDisable, .writeThrough, .global,
  ]

  /// Maps the 4 KiB page of device registers at `physical` (page-aligned) and returns its
  /// virtual address; a page mapped already (the same device again) is returned as it is. The
  /// page tables it needs come from the frame allocator and stay the kernel's.
  static func map(physical: UInt64) -> UInt64 {
    precondition(physical & PageSize.size4KiB.offsetMask == 0, "device page not aligned")
    let virtual = deviceWindowBase + physical
    var frames = MemoryManager.frames
    do {
      try MemoryManager.kernelMap!.map(
        VirtualAddress(canonical: virtual),
        to: PhysicalFrame(number: physical >> PageSize.size4KiB.shift),
        flags: deviceFlags, frames: &frames)
    } catch .alreadyMapped {
      return virtual
    } catch {
      Panic.halt("mapping device registers at " + hex(physical) + ": " + describe(error))
    }
    return virtual
  }
}
