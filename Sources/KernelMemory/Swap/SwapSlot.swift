/// One page-sized slot of the swap area: slot 0 holds the area's header (Linux's
/// `SWAPSPACE2` page), slots `1 ..< slotCount` hold pages. Kept to 32 bits so the frame
/// table's record can name it (`FrameInfo.swapSlot`): 2^32 slots are 16 TiB of swap.
public struct SwapSlot: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The slot's number in the area (its byte offset is `number * 4096`).
  public let number: UInt32

  /// The slot `number`.
  @inlinable public init(number: UInt32) { self.number = number }

  /// The slot that holds the area's header, never handed out: also what a frame's record
  /// holds when it caches no slot.
  public static let header = SwapSlot(number: 0)

  public static func < (lhs: SwapSlot, rhs: SwapSlot) -> Bool { lhs.number < rhs.number }

  public var description: String { "swap slot " + String(number) }
}
