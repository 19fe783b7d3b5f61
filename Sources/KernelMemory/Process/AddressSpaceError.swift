/// Why an address-space operation was refused; each maps to the errno Linux would return.
public enum AddressSpaceError: Error, Equatable, Sendable {
  /// The range itself is malformed: zero length, misaligned, overflowing (`EINVAL`).
  case invalidRange(VirtualRange.Problem)
  /// The range is not inside the process's half, above `UserLayout.minimumAddress` (`ENOMEM`
  /// for mapping calls, as Linux; `EPERM` for a fixed map below the minimum).
  case outsideUserSpace
  /// A fixed mapping below `UserLayout.minimumAddress` (`EPERM`).
  case belowMinimumAddress
  /// `MAP_FIXED_NOREPLACE` found something already mapped there (`EEXIST`).
  case overlapsExisting
  /// The commit ledger cannot promise the frames (`ENOMEM`).
  case outOfMemory
  /// No free gap is large enough (`ENOMEM`).
  case noSpace
  /// Part of the range is not reserved (`ENOMEM` from `mprotect`).
  case notReserved
  /// The operation would leave more regions than the space's `regionLimit`
  /// (`vm.max_map_count`; `ENOMEM`, as Linux).
  case tooManyRegions
  /// The range is not inside one mapping where a call needs it to be: `mremap`'s old range,
  /// or its address not mapped at all (`EFAULT`).
  case notOneMapping
  /// The operation does not apply to this kind of region: `MADV_FREE` on shared memory,
  /// `MADV_REMOVE` on private memory, `MADV_POPULATE_*` where the protection forbids the
  /// access, `PROT_GROWSDOWN` on a mapping that does not grow (`EINVAL`).
  case notApplicable
  /// `mprotect` asked for an access the mapping can never have (`Region.maximumProtection`:
  /// `PROT_WRITE` on a `MAP_SHARED` mapping of a file opened read-only; `EACCES`).
  case beyondMaximumProtection

  /// The Linux errno value for this error.
  public var errno: Errno {
    switch self {
    case .invalidRange, .notApplicable: return .EINVAL
    case .notOneMapping: return .EFAULT
    case .belowMinimumAddress: return .EPERM
    case .beyondMaximumProtection: return .EACCES
    case .overlapsExisting: return .EEXIST
    case .outsideUserSpace, .outOfMemory, .noSpace, .notReserved, .tooManyRegions:
      return .ENOMEM
    }
  }
}
