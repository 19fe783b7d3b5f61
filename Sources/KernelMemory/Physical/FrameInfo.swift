/// What the kernel knows about one physical frame besides "free or not" (the bitmap's bit):
/// the per-frame record of the frame table (Linux's `struct page`, Zircon's `vm_page_t`,
/// SerenityOS's `PhysicalRAMPage`), kept to 12 bytes.
///
/// Layout (12 bytes per frame, `FrameInfo.bytesPerFrame`; the budget is 16):
///
/// | bytes | field | meaning |
/// |---|---|---|
/// | 0–3 | `mapCount` | user leaf entries that map the frame, across every address space; for a frame holding a page table shared by fork (`sharedPageTable`), the page-directory entries that reach it |
/// | 4–5 | `state` | `FrameState` bits (exclusive, shared, pinned, shared page table; page-cache, swap later) |
/// | 6–7 | `reserved` | zero; room for an LRU generation |
/// | 8–11 | `swapSlot` | the swap slot this frame caches while `.swapCache` is set (else 0) |
///
/// A later page cache or swap needs the owning object and an offset: 8 more bytes at most (an
/// index into an object table and a page offset), which keeps the record at 16.
public struct FrameInfo: Equatable, Sendable {
  /// How many user leaf entries map this frame (the zero page is not counted: see
  /// `PhysicalMemoryContext`).
  public var mapCount: UInt32
  /// The frame's state bits.
  public var state: FrameState
  /// Unused; zero.
  public var reserved: UInt16
  /// The swap slot whose page this frame holds (the swap cache's frame → slot link), valid
  /// while `state` contains `.swapCache`; `SwapSlot.header` (0) otherwise.
  public var swapSlot: UInt32 = 0

  /// The record of a frame no one maps.
  public static let unused = FrameInfo(mapCount: 0, state: [], reserved: 0)

  /// Creates a record.
  public init(mapCount: UInt32, state: FrameState, reserved: UInt16 = 0, swapSlot: UInt32 = 0) {
    self.mapCount = mapCount
    self.state = state
    self.reserved = reserved
    self.swapSlot = swapSlot
  }

  /// The storage one record takes in the frame table.
  public static var bytesPerFrame: Int { MemoryLayout<FrameInfo>.stride }
}

/// The state bits of a frame (`FrameInfo.state`).
public struct FrameState: OptionSet, Equatable, Sendable {
  public let rawValue: UInt16
  public init(rawValue: UInt16) { self.rawValue = rawValue }

  /// Anonymous memory known to be mapped by one address space only (Linux's
  /// `PG_anon_exclusive`): the only frames a private leaf may map writable
  /// (`AddressSpace.leafFlags`). Set when a fault hands a fresh frame or a copy to a space, or
  /// when a write fault claims a frame whose only leaf is its own
  /// (`AddressSpace.mayClaimExclusive`); cleared only by fork, which shares the frame. Implies
  /// `mapCount == 1`.
  public static let anonymousExclusive = FrameState(rawValue: 1 << 0)
  /// Mapped, or mappable, by several address spaces on purpose: the zero page, a page of a
  /// memory object (shared anonymous memory; page-cache pages later). Never claimed exclusive
  /// by a write to a private mapping (it is copied), and not freed when its map count reaches
  /// zero: its owner (the object) frees it.
  public static let shared = FrameState(rawValue: 1 << 1)
  /// Never freed when its map count reaches zero (the zero page; later, pages under I/O).
  public static let pinned = FrameState(rawValue: 1 << 2)
  /// A last-level page table that fork shares between address spaces (On-demand-fork,
  /// EuroSys'21): `mapCount` is then the number of page-directory entries that point to it
  /// (two or more), each with its R/W bit clear. A table reached by one entry has no record
  /// (`.unused`, as every page table has). See `AddressSpace.unshareTable` for the invariant.
  public static let sharedPageTable = FrameState(rawValue: 1 << 3)

  /// The frame is the swap cache's copy of swap slot `FrameInfo.swapSlot` (`SwapArea`): an
  /// anonymous page being written to swap, read from it, or kept as a copy of it. Such a frame
  /// is never written in place (never claimed exclusive, `mayClaimExclusive`), so it stays
  /// what the slot holds. Reaching map count zero frees it only when its slot holds the same
  /// data and no I/O is on it (see `FrameTable.recordUnmapping`).
  public static let swapCache = FrameState(rawValue: 1 << 4)
  /// A swap-cache frame the disk is writing to its slot: freed by the write's completion,
  /// not when its map count reaches zero.
  public static let underWrite = FrameState(rawValue: 1 << 5)
  /// A swap-cache frame the disk is reading its slot into: mapped by no one until the read
  /// completes; a fault on it waits for the read.
  public static let underRead = FrameState(rawValue: 1 << 6)
  /// A swap-cache frame whose slot does not hold its data (the write failed): the only copy
  /// of the page, never freed while an entry refers to the slot.
  public static let swapDirty = FrameState(rawValue: 1 << 7)
  /// A swap-cache frame read ahead of a faulting page that no fault has mapped yet (Linux's
  /// `PG_readahead`): the first fault that maps it counts a read-ahead hit, which widens the
  /// next read (`SwapArea.readAheadWindow`).
  public static let readAhead = FrameState(rawValue: 1 << 8)
  /// The swap-cache states that keep a frame whose map count reached zero.
  public static let keptBySwap: FrameState = [.underWrite, .underRead, .swapDirty]
}
