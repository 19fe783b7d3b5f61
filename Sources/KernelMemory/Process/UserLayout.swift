/// Where things go in a process's half of the address space.
public enum UserLayout {
  /// The lowest address a process may map (Linux's default `mmap_min_addr`): the first 64 KiB
  /// stay unmapped so that null-pointer dereferences with small offsets always fault.
  public static let minimumAddress: UInt64 = 0x1_0000
  /// One past the highest user address.
  public static let end: UInt64 = VirtualAddress.lowerHalfEnd
  /// The top of the initial user stack; a little below the end keeps it off the last page.
  public static let stackTop: UInt64 = 0x7fff_ffff_e000
  /// The default size of the user stack's region (grows no further).
  public static let defaultStackSize: UInt64 = 8 << 20
  /// `mmap` without a fixed address searches downwards from here.
  public static let mmapCeiling: UInt64 = 0x7f00_0000_0000
}
