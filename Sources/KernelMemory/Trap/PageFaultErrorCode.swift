/// The error code the CPU pushes with a page fault (#PF, vector 14; Intel SDM Vol. 3A §4.7).
public struct PageFaultErrorCode: OptionSet, Hashable, Sendable, CustomStringConvertible {
  public let rawValue: UInt64
  @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

  /// P: the page was present (a protection violation); clear: not present.
  public static let present = PageFaultErrorCode(rawValue: 1 << 0)
  /// W/R: the access was a write.
  public static let write = PageFaultErrorCode(rawValue: 1 << 1)
  /// U/S: the access came from ring 3.
  public static let user = PageFaultErrorCode(rawValue: 1 << 2)
  /// RSVD: a reserved bit was set in a paging-structure entry.
  public static let reservedBit = PageFaultErrorCode(rawValue: 1 << 3)
  /// I/D: the access was an instruction fetch.
  public static let instructionFetch = PageFaultErrorCode(rawValue: 1 << 4)
  /// PK: a protection-key violation.
  public static let protectionKey = PageFaultErrorCode(rawValue: 1 << 5)
  /// SS: a shadow-stack access.
  public static let shadowStack = PageFaultErrorCode(rawValue: 1 << 6)

  /// The kind of access that faulted.
  @inlinable public var access: AccessKind {
    if contains(.instructionFetch) { return .execute }
    return contains(.write) ? .write : .read
  }

  public var description: String {
    var text = contains(.present) ? "protection violation" : "not present"
    text += ", " + access.description
    text += contains(.user) ? ", user mode" : ", supervisor mode"
    if contains(.reservedBit) { text += ", reserved bit set" }
    if contains(.protectionKey) { text += ", protection key" }
    if contains(.shadowStack) { text += ", shadow stack" }
    return text
  }
}
