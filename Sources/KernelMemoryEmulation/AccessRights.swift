/// What a translation permits, combined over every level of the walk.
///
/// The SDM's rule: a page is writable only if R/W is set at every level, user-accessible only if
/// U/S is set at every level, and executable only if no level sets XD. This is the form the TLB
/// caches, so a cached entry can be checked without the tables.
public struct AccessRights: OptionSet, Hashable, Sendable, CustomStringConvertible {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  /// Writes are allowed (for the kernel only if CR0.WP is off, otherwise for anyone).
  public static let writable = AccessRights(rawValue: 1 << 0)
  /// The page is a user-mode page.
  public static let user = AccessRights(rawValue: 1 << 1)
  /// Instruction fetches are allowed.
  public static let executable = AccessRights(rawValue: 1 << 2)

  /// What a walk starts from before any entry narrows it.
  public static let unrestricted: AccessRights = [.writable, .user, .executable]

  /// Whether `self` allows something `other` does not.
  public func exceeds(_ other: AccessRights) -> Bool { !subtracting(other).isEmpty }

  public var description: String {
    (contains(.user) ? "U" : "S") + (contains(.writable) ? "W" : "R")
      + (contains(.executable) ? "X" : "-")
  }
}
