import KernelSupport

/// The direct map: all physical RAM mapped at one fixed higher-half base, so physical address p
/// is always reachable at `directMapBase + p` (README "Address space").
///
/// The boot tables map the first 1 GiB there; the kernel's own tables map all of RAM with
/// 1 GiB or 2 MiB pages, read-write, no-execute and global.
let directMapBase: UInt64 = 0xffff_8000_0000_0000

/// The kernel's `PhysicalMemoryAccess`: every physical access goes through the direct map.
struct DirectMap: PhysicalMemoryAccess {
  /// The virtual address of physical `address`.
  @inline(__always) static func pointer(_ address: PhysicalAddress) -> UnsafeMutableRawPointer {
    UnsafeMutableRawPointer(bitPattern: UInt(directMapBase &+ address.value))!
  }

  /// The virtual address of physical `address` as a number.
  @inline(__always) static func virtualAddress(_ address: UInt64) -> UInt64 {
    directMapBase &+ address
  }

  /// Always inlined, like `store`: page-table walks call these per level, and under TCG every
  /// call's return is an indirect jump that costs a translation-block lookup.
  @inline(__always) func load(_ address: PhysicalAddress) -> UInt64 {
    DirectMap.pointer(address).load(as: UInt64.self)
  }

  @inline(__always) func store(_ value: UInt64, at address: PhysicalAddress) {
    DirectMap.pointer(address).storeBytes(of: value, as: UInt64.self)
  }

  /// One REP STOSQ over the frame (`memory_zero_quadwords`): the hot part of every write fault.
  func zero(_ frame: PhysicalFrame) {
    memory_zero_quadwords(
      DirectMap.pointer(frame.address),
      Int(PageSize.size4KiB.bytes) / MemoryLayout<UInt64>.size)
  }

  func copy(_ source: PhysicalFrame, to destination: PhysicalFrame) {
    memory_copy_quadwords(
      DirectMap.pointer(destination.address), DirectMap.pointer(source.address),
      Int(PageSize.size4KiB.bytes) / MemoryLayout<UInt64>.size)
  }
}
