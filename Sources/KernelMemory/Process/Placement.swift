/// Where a new reservation goes: the address semantics of `mmap`.
public enum Placement: Sendable, Equatable {
  /// Anywhere the address space has room.
  case anywhere
  /// At this address if that range is free, otherwise anywhere (an `mmap` hint).
  case hint(UInt64)
  /// Exactly here, replacing whatever was there (`MAP_FIXED`).
  case fixed(UInt64)
  /// Exactly here, failing with `.overlapsExisting` if anything is there
  /// (`MAP_FIXED_NOREPLACE`).
  case fixedNoReplace(UInt64)
}
