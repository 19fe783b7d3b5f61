/// Where things go in a process's part of the address space.
///
/// Processes own PML4 slots 0–253 (the first 127 TiB). The kernel owns slots 254–511: the whole
/// upper half (direct map of RAM) and the top two slots of the lower half, where the kernel
/// image and heap live. They cannot live in the upper half because Swift on x86_64 keeps flags
/// in the top bits of object and string pointers (spare-bit mask `0x7F00000000000006`): any
/// upper-half address of a Swift object or string literal would be misread.
public enum UserLayout {
  /// The first PML4 slot that belongs to the kernel: shared by every address space, never
  /// reclaimed or torn down with a process.
  public static let firstKernelSlot = 254
  /// The lowest address a process may map (Linux's default `mmap_min_addr`): the first 64 KiB
  /// stay unmapped so that null-pointer dereferences with small offsets always fault.
  public static let minimumAddress: UInt64 = 0x1_0000
  /// One past the highest user address: the start of the first kernel slot.
  public static let end: UInt64 = UInt64(firstKernelSlot) << PageTableLevel.pml4.indexShift
  /// The top of the initial user stack; the last user page stays unmapped.
  public static let stackTop: UInt64 = end - PageSize.size4KiB.bytes
  /// The default size of the user stack's region (grows no further).
  public static let defaultStackSize: UInt64 = 8 << 20
  /// `mmap` without a fixed address searches downwards from here.
  public static let mmapCeiling: UInt64 = 0x7e00_0000_0000
}
