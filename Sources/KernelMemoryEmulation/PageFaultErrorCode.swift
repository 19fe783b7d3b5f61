/// The error code the CPU pushes for a page fault (#PF, vector 14), Intel SDM Vol. 3A §4.7.
///
/// The kernel's page-fault policy decodes exactly these bits, so the software MMU produces them
/// bit for bit, including the cases that are easy to get wrong: P is 0 only for a not-present
/// entry (a reserved-bit fault has P = 1), and I/D is set for a fetch only when NXE or SMEP is on.
public struct PageFaultErrorCode: OptionSet, Hashable, Sendable, CustomStringConvertible {
  public let rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }

  /// P: the fault was a protection violation (or reserved bit) on a present page; clear when
  /// some entry on the walk was not present.
  public static let protectionViolation = PageFaultErrorCode(rawValue: 1 << 0)
  /// W/R: the access was a write.
  public static let write = PageFaultErrorCode(rawValue: 1 << 1)
  /// U/S: the access was made in user mode (CPL 3).
  public static let user = PageFaultErrorCode(rawValue: 1 << 2)
  /// RSVD: some entry on the walk had a reserved bit set.
  public static let reservedBit = PageFaultErrorCode(rawValue: 1 << 3)
  /// I/D: the access was an instruction fetch.
  public static let instructionFetch = PageFaultErrorCode(rawValue: 1 << 4)

  public var description: String {
    let names: [(PageFaultErrorCode, String)] = [
      (.protectionViolation, "P"), (.write, "W"), (.user, "U"), (.reservedBit, "RSVD"),
      (.instructionFetch, "I"),
    ]
    let present = names.filter { contains($0.0) }.map(\.1)
    return present.isEmpty ? "-" : present.joined(separator: " ")
  }
}
