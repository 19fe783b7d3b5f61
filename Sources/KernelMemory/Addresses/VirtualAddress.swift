/// A 64-bit virtual address, always canonical.
///
/// With 4-level paging only bits 0–47 translate; bits 48–63 must copy bit 47, or the CPU raises a
/// general-protection fault. Making non-canonical values unrepresentable means every later piece of
/// arithmetic starts from a valid address; the checked initialiser is the boundary where user input
/// is rejected.
public struct VirtualAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The address bits, sign-extended from bit 47.
  public let value: UInt64

  /// The first address past the lower (user) half: `0x0000_8000_0000_0000`.
  public static let lowerHalfEnd: UInt64 = 0x0000_8000_0000_0000
  /// The first address of the upper (kernel) half: `0xffff_8000_0000_0000`.
  public static let upperHalfStart: UInt64 = 0xffff_8000_0000_0000

  /// Returns whether `value` is canonical for 48-bit virtual addresses.
  @inlinable public static func isCanonical(_ value: UInt64) -> Bool {
    value < lowerHalfEnd || value >= upperHalfStart
  }

  /// Creates an address, or nil when `value` is not canonical.
  @inlinable public init?(_ value: UInt64) {
    guard VirtualAddress.isCanonical(value) else { return nil }
    self.value = value
  }

  /// Creates an address from a value the caller knows is canonical (a kernel constant).
  @inlinable public init(canonical value: UInt64) {
    precondition(VirtualAddress.isCanonical(value), "non-canonical virtual address")
    self.value = value
  }

  /// Creates the canonical address whose low 48 bits are `bits` (sign-extending bit 47).
  @inlinable public init(truncatingToCanonical bits: UInt64) {
    let low = bits & 0x0000_ffff_ffff_ffff
    self.value = (low & 0x0000_8000_0000_0000) != 0 ? low | 0xffff_0000_0000_0000 : low
  }

  /// Whether the address is in the lower (user) half.
  @inlinable public var isInLowerHalf: Bool { value < VirtualAddress.lowerHalfEnd }

  /// The 9-bit index of this address into a table of `level`.
  @inlinable public func index(at level: PageTableLevel) -> Int {
    Int(truncatingIfNeeded: (value >> level.indexShift) & 0x1ff)
  }

  /// The index into the PML4 (bits 39–47).
  @inlinable public var pml4Index: Int { index(at: .pml4) }
  /// The index into the PDPT (bits 30–38).
  @inlinable public var pdptIndex: Int { index(at: .pageDirectoryPointerTable) }
  /// The index into the page directory (bits 21–29).
  @inlinable public var pageDirectoryIndex: Int { index(at: .pageDirectory) }
  /// The index into the page table (bits 12–20).
  @inlinable public var pageTableIndex: Int { index(at: .pageTable) }
  /// The offset inside a 4 KiB page (bits 0–11).
  @inlinable public var pageOffset: UInt64 { value & PageSize.size4KiB.offsetMask }

  /// Whether the address is a multiple of `size`.
  @inlinable public func isAligned(to size: PageSize) -> Bool { value & size.offsetMask == 0 }

  /// The address rounded down to a multiple of `size` (always canonical).
  @inlinable public func alignedDown(to size: PageSize) -> VirtualAddress {
    VirtualAddress(unchecked: value & ~size.offsetMask)
  }

  /// The address plus `bytes`, or nil when the sum overflows or leaves the address's half.
  ///
  /// Crossing from the lower half into the non-canonical hole is exactly the silent bit-47
  /// crossing the architecture guide warns about, so it is reported, not wrapped.
  @inlinable public func adding(_ bytes: UInt64) -> VirtualAddress? {
    let (sum, overflow) = value.addingReportingOverflow(bytes)
    guard !overflow else { return nil }
    if isInLowerHalf && sum > VirtualAddress.lowerHalfEnd { return nil }
    if isInLowerHalf && sum == VirtualAddress.lowerHalfEnd { return nil }
    return VirtualAddress(unchecked: sum)
  }

  @usableFromInline init(unchecked value: UInt64) { self.value = value }

  public static func < (lhs: VirtualAddress, rhs: VirtualAddress) -> Bool { lhs.value < rhs.value }

  public var description: String { hex(value) }
}

/// A 52-bit physical address.
public struct PhysicalAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The address bits.
  public let value: UInt64

  /// The largest physical address width x86_64 defines (MAXPHYADDR ≤ 52).
  public static let maximumBits: UInt64 = 52

  /// Creates a physical address; nil when it has bits above bit 51.
  @inlinable public init?(_ value: UInt64) {
    guard value >> PhysicalAddress.maximumBits == 0 else { return nil }
    self.value = value
  }

  @usableFromInline init(unchecked value: UInt64) { self.value = value }

  /// The 4 KiB frame holding this address.
  @inlinable public var frame: PhysicalFrame { PhysicalFrame(number: value >> 12) }

  /// The offset inside its 4 KiB frame.
  @inlinable public var frameOffset: UInt64 { value & PageSize.size4KiB.offsetMask }

  /// The address plus `bytes` (the caller stays inside one frame or page).
  @inlinable public func advanced(by bytes: UInt64) -> PhysicalAddress {
    PhysicalAddress(unchecked: value + bytes)
  }

  public static func < (lhs: PhysicalAddress, rhs: PhysicalAddress) -> Bool {
    lhs.value < rhs.value
  }

  public var description: String { hex(value) }
}

/// Formats `value` as `0x` followed by lowercase hexadecimal digits (no Foundation).
public func hex(_ value: UInt64) -> String {
  "0x" + String(value, radix: 16)
}
