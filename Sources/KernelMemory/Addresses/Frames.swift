/// A 4 KiB physical page frame, named by its number (address / 4096).
public struct PhysicalFrame: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The frame number: the physical address shifted right by 12.
  public let number: UInt64

  /// Creates the frame with this number.
  @inlinable public init(number: UInt64) { self.number = number }

  /// The physical address of the frame's first byte.
  @inlinable public var address: PhysicalAddress { PhysicalAddress(unchecked: number << 12) }

  /// The frame `count` frames further on.
  @inlinable public func advanced(by count: UInt64) -> PhysicalFrame {
    PhysicalFrame(number: number + count)
  }

  /// Whether the frame starts a naturally aligned page of `size`.
  @inlinable public func isAligned(to size: PageSize) -> Bool {
    number & (size.frameCount - 1) == 0
  }

  public static func < (lhs: PhysicalFrame, rhs: PhysicalFrame) -> Bool {
    lhs.number < rhs.number
  }

  public var description: String { "frame " + hex(number << 12) }
}

/// A 4 KiB virtual page, named by its first (canonical, aligned) address.
public struct VirtualPage: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The page's first address.
  public let start: VirtualAddress

  /// The page containing `address`.
  @inlinable public init(containing address: VirtualAddress) {
    start = address.alignedDown(to: .size4KiB)
  }

  /// The page that starts at `address`, or nil when it is not 4 KiB-aligned.
  @inlinable public init?(startingAt address: VirtualAddress) {
    guard address.isAligned(to: .size4KiB) else { return nil }
    start = address
  }

  /// The next page, or nil at the end of the address's half.
  @inlinable public var next: VirtualPage? {
    start.adding(PageSize.size4KiB.bytes).map { VirtualPage(containing: $0) }
  }

  public static func < (lhs: VirtualPage, rhs: VirtualPage) -> Bool { lhs.start < rhs.start }

  public var description: String { "page " + start.description }
}

/// A half-open range of virtual addresses `[start, end)` inside one half, page-aligned.
///
/// Built only through `init(start:length:)`, which rejects overflow, misalignment, zero length and
/// ranges that would cross out of their half — the checks `munmap`/`mprotect` need on user input.
public struct VirtualRange: Hashable, Sendable, CustomStringConvertible {
  /// The first address.
  public let start: UInt64
  /// One past the last address.
  public let end: UInt64

  /// Why a user-supplied range is unacceptable.
  public enum Problem: Error, Equatable, Sendable {
    case zeroLength
    case misaligned
    case nonCanonical
    case overflow
  }

  /// Validates a page-aligned range of `length` bytes (rounded up to pages) at `start`.
  public init(start: UInt64, length: UInt64) throws(Problem) {
    guard length != 0 else { throw .zeroLength }
    guard start & PageSize.size4KiB.offsetMask == 0 else { throw .misaligned }
    guard VirtualAddress.isCanonical(start) else { throw .nonCanonical }
    let (rounded, roundOverflow) = length.addingReportingOverflow(PageSize.size4KiB.offsetMask)
    guard !roundOverflow else { throw .overflow }
    let pages = rounded & ~PageSize.size4KiB.offsetMask
    let (end, overflow) = start.addingReportingOverflow(pages)
    guard !overflow else { throw .overflow }
    if start < VirtualAddress.lowerHalfEnd {
      guard end <= VirtualAddress.lowerHalfEnd else { throw .overflow }
    }
    self.start = start
    self.end = end
  }

  /// Creates a range from bounds already known to be valid (internal bookkeeping).
  @inlinable public init(uncheckedStart start: UInt64, end: UInt64) {
    self.start = start
    self.end = end
  }

  /// The length in bytes.
  @inlinable public var length: UInt64 { end - start }
  /// The number of 4 KiB pages.
  @inlinable public var pageCount: UInt64 { length >> 12 }

  /// Whether `address` lies inside.
  @inlinable public func contains(_ address: UInt64) -> Bool { address >= start && address < end }

  /// Whether the two ranges share any address.
  @inlinable public func overlaps(_ other: VirtualRange) -> Bool {
    start < other.end && other.start < end
  }

  public var description: String { "[" + hex(start) + ", " + hex(end) + ")" }
}
