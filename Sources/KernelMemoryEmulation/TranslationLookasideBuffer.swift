import KernelMemory

/// How the TLB has been used: enough for a test to tell whether flushes happened.
public struct TLBStatistics: Hashable, Sendable {
  /// Accesses served from a cached translation.
  public var hits = 0
  /// Accesses that needed a page walk.
  public var misses = 0
  /// `invalidate(_:)` calls (`invlpg`).
  public var pageInvalidations = 0
  /// Flushes of every non-global entry (CR3 loads, `invalidateAll()`).
  public var fullFlushes = 0

  /// Counters with the given values (all zero by default).
  public init(hits: Int = 0, misses: Int = 0, pageInvalidations: Int = 0, fullFlushes: Int = 0) {
    self.hits = hits
    self.misses = misses
    self.pageInvalidations = pageInvalidations
    self.fullFlushes = fullFlushes
  }
}

/// A cached translation: the walked mapping plus whether a CR3 load keeps it.
struct TLBEntry {
  var mapping: WalkedMapping
  /// G in the leaf and CR4.PGE on.
  var isGlobal: Bool
}

/// The translation cache of the software MMU, one entry per mapped page at the page's own size
/// (as real TLBs hold 4 KiB, 2 MiB and 1 GiB entries separately).
///
/// Entries change only when the MMU inserts one after a successful walk or when software
/// invalidates: nothing here ever looks at the page tables, which is what makes a missing
/// `invlpg` visible to a test.
struct TranslationLookasideBuffer {
  private var small: [UInt64: TLBEntry] = [:]
  private var large: [UInt64: TLBEntry] = [:]
  private var huge: [UInt64: TLBEntry] = [:]

  /// How many translations are cached.
  var count: Int { small.count + large.count + huge.count }

  /// Every cached translation.
  var entries: [TLBEntry] { Array(small.values) + Array(large.values) + Array(huge.values) }

  /// The cached translation covering `address`, preferring the smallest page.
  func lookUp(_ address: VirtualAddress) -> TLBEntry? {
    if let entry = small[Self.key(address, .size4KiB)] { return entry }
    if !large.isEmpty, let entry = large[Self.key(address, .size2MiB)] { return entry }
    if !huge.isEmpty, let entry = huge[Self.key(address, .size1GiB)] { return entry }
    return nil
  }

  /// Caches `entry`, replacing any entry for the same page.
  mutating func insert(_ entry: TLBEntry) {
    let size = entry.mapping.size
    let key = Self.key(entry.mapping.virtualStart, size)
    switch size {
    case .size4KiB: small[key] = entry
    case .size2MiB: large[key] = entry
    case .size1GiB: huge[key] = entry
    }
  }

  /// Drops every entry, of any size, that covers `address` (what `invlpg` does).
  mutating func invalidate(_ address: VirtualAddress) {
    small[Self.key(address, .size4KiB)] = nil
    if !large.isEmpty { large[Self.key(address, .size2MiB)] = nil }
    if !huge.isEmpty { huge[Self.key(address, .size1GiB)] = nil }
  }

  /// Drops every non-global entry (a CR3 load).
  mutating func flushNonGlobal() {
    small = small.filter { $0.value.isGlobal }
    large = large.filter { $0.value.isGlobal }
    huge = huge.filter { $0.value.isGlobal }
  }

  /// Drops every entry, global ones too (toggling CR4.PGE).
  mutating func flushAll() {
    small.removeAll()
    large.removeAll()
    huge.removeAll()
  }

  /// The page number of `address` for pages of `size`: unique per page of that size.
  private static func key(_ address: VirtualAddress, _ size: PageSize) -> UInt64 {
    address.value >> size.shift
  }
}
