/// A swap entry: the non-present leaf (or memory-object index entry) of a page whose contents
/// live in a swap slot.
///
/// Encoding (64 bits, Present clear so the CPU faults on any access and ignores the rest, Intel
/// SDM Vol. 3A §4.5 — "if P is 0, bits 63:1 are ignored"):
///
/// | bits | value |
/// |---|---|
/// | 0 | 0: not present |
/// | 1–8 | 0 |
/// | 9 | 1: `SwapEntry.marker`, the first of the entry's software-available bits |
/// | 10–11 | 0 |
/// | 12–43 | the slot number (`SwapSlot.number`, 32 bits) |
/// | 44–63 | 0 |
///
/// It cannot be confused with an empty entry (the marker makes it nonzero; slot 0 is never
/// handed out either) nor with a present leaf or table pointer (bit 0 clear). No other
/// non-present use exists in the tree today; one added later must choose another marker bit.
public struct SwapEntry: Hashable, Sendable {
  /// The slot the page lives in.
  public let slot: SwapSlot

  /// The entry for `slot`.
  @inlinable public init(slot: SwapSlot) { self.slot = slot }

  /// Bit 9: marks a non-present entry as a swap entry.
  public static let marker: UInt64 = 1 << 9
  /// Where the slot number starts (the frame field's first bit).
  public static let slotShift: UInt64 = 12
  /// Every bit a swap entry may have set.
  public static let validBits: UInt64 = marker | (UInt64(UInt32.max) << slotShift)

  /// The page-table entry that holds this swap entry.
  @inlinable public var pageTableEntry: PageTableEntry {
    PageTableEntry(rawValue: UInt64(slot.number) << SwapEntry.slotShift | SwapEntry.marker)
  }

  /// The swap entry `entry` holds, or nil when it is anything else (empty, present, foreign).
  @inlinable public init?(_ entry: PageTableEntry) {
    let raw = entry.rawValue
    guard raw & SwapEntry.marker != 0, raw & PageTableFlags.present.rawValue == 0,
      raw & ~SwapEntry.validBits == 0
    else { return nil }
    let number = UInt32(truncatingIfNeeded: raw >> SwapEntry.slotShift)
    guard number != SwapSlot.header.number else { return nil }
    slot = SwapSlot(number: number)
  }
}

extension PageTableEntry {
  /// The swap entry this entry holds, if it is one (`SwapEntry`).
  @inlinable public var swapEntry: SwapEntry? { SwapEntry(self) }
}
