/// What identifies a futex: the word two waits and a wake must agree on (Linux's
/// `union futex_key`).
///
/// - `private`: an address in one address space (`domain` names the space, `offset` is the
///   user address) — what `FUTEX_PRIVATE_FLAG` asks for, and what any futex in private memory
///   gets, as Linux gives anonymous private pages `(mm, address)`: a copy-on-write break after
///   `fork` moves the page to a new frame, and a key by frame would then part a waiter from
///   its waker in the same process.
/// - `shared`: a word of `MAP_SHARED` memory, by where it is in physical memory (`domain` 0,
///   `offset` the physical address of the word: frame + offset in the page), so processes that
///   map the same memory at different addresses, or inherit it across `fork`, meet.
public struct FutexKey: Comparable, Sendable, CustomStringConvertible {
  /// Which kind of key this is: private keys sort before shared ones.
  public enum Kind: UInt8, Sendable {
    case `private` = 0
    case shared = 1
  }
  public let kind: Kind
  public let domain: UInt64
  public let offset: UInt64

  public init(kind: Kind, domain: UInt64, offset: UInt64) {
    self.kind = kind
    self.domain = domain
    self.offset = offset
  }

  public static func < (a: FutexKey, b: FutexKey) -> Bool {
    if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
    if a.domain != b.domain { return a.domain < b.domain }
    return a.offset < b.offset
  }

  public var description: String {
    (kind == .private ? "private " : "shared ") + String(domain) + ":" + String(offset)
  }
}

/// The futexes that have waiters: every waiter with its key and bitset, in one array sorted by
/// key and, within a key, by arrival (Linux's futex hash buckets, as one sorted table: every
/// operation is a binary search, O(log n) in the number of waiters, plus the waiters it
/// touches and the shift of the entries behind them).
///
/// One flat array rather than a queue per key: a futex hand-off queues and takes one waiter
/// per wait, and a queue per key was two heap allocations and frees each time (the key's
/// array made and dropped). The array keeps its capacity, so waiting and waking allocate
/// nothing once the table has held as many waiters as it holds now.
///
/// The table only keeps order; the kernel blocks and wakes the threads (`Waiter` is its
/// per-wait record). A waiter is in the table from `enqueue` until a wake or requeue takes it
/// out, or `remove` (its wait timed out or was interrupted).
///
/// At most `limit` waiters at once (one per thread in practice; `enqueue` refuses beyond it).
///
/// LOCK: one lock for the table (Linux has one per hash bucket; a single sorted table has one
/// lock, `FutexTable.lock`, taken with interrupts off around every operation and released by
/// a waiter only once it is queued — the futex word's check and the enqueue are one step
/// under it, so a wake between them cannot be missed). One CPU with interrupts off in the
/// kernel: holding it is being in the kernel.
public struct FutexTable<Waiter: AnyObject> {
  /// One waiter and the bits it waits for (`FUTEX_WAIT_BITSET`'s `val3`; all ones for WAIT).
  public struct Entry {
    public let waiter: Waiter
    public let bitset: UInt32
  }

  /// A waiter in the table: its key beside it.
  private struct Slot {
    let key: FutexKey
    let entry: Entry
  }

  /// Every waiter, sorted by key, each key's in arrival order.
  private var slots: [Slot] = []
  /// How many waiters there are in all.
  public var count: Int { slots.count }
  /// The most waiters at once.
  public let limit: Int

  public init(limit: Int) { self.limit = limit }

  /// The first slot whose key is not below `key` (`orAbove` false) or above it (true).
  private func boundary(of key: FutexKey, orAbove: Bool) -> Int {
    var low = 0
    var high = slots.count
    while low < high {
      let middle = (low + high) / 2
      let below = orAbove ? !(key < slots[middle].key) : slots[middle].key < key
      if below { low = middle + 1 } else { high = middle }
    }
    return low
  }

  /// Where `key`'s waiters are.
  private func range(of key: FutexKey) -> Range<Int> {
    let start = boundary(of: key, orAbove: false)
    var end = start
    while end < slots.count && slots[end].key == key { end += 1 }
    return start..<end
  }

  /// Adds a waiter at the end of `key`'s queue; false when the table is full.
  public mutating func enqueue(_ waiter: Waiter, on key: FutexKey, bitset: UInt32) -> Bool {
    guard count < limit else { return false }
    let slot = Slot(key: key, entry: Entry(waiter: waiter, bitset: bitset))
    insert(slot)
    return true
  }

  /// Puts `slot` after every slot of its key and before the greater keys.
  private mutating func insert(_ slot: Slot) {
    let index = boundary(of: slot.key, orAbove: true)
    // At the end (a table with one key waited on, the common case): no shift to do.
    if index == slots.count { slots.append(slot) } else { slots.insert(slot, at: index) }
  }

  /// Takes the slot at `index` out.
  private mutating func removeSlot(at index: Int) -> Slot {
    index == slots.count - 1 ? slots.removeLast() : slots.remove(at: index)
  }

  /// The waiters of `key`, in order.
  public func waiters(of key: FutexKey) -> [Entry] {
    slots[range(of: key)].map { $0.entry }
  }

  /// How many waiters `key` has.
  public func waiterCount(of key: FutexKey) -> Int { range(of: key).count }

  /// Takes out up to `limit` waiters of `key` whose bitset shares a bit with `bitset`, the
  /// longest waiting first, and hands each to `body` once it is out (the caller wakes it;
  /// `body` must not use the table). Answers how many; allocates nothing.
  @discardableResult
  public mutating func take(
    from key: FutexKey, upTo limit: Int, matching bitset: UInt32, _ body: (Waiter) -> Void
  ) -> Int {
    var index = boundary(of: key, orAbove: false)
    var taken = 0
    while taken < limit && index < slots.count && slots[index].key == key {
      guard slots[index].entry.bitset & bitset != 0 else {
        index += 1
        continue
      }
      body(removeSlot(at: index).entry.waiter)
      taken += 1
    }
    return taken
  }

  /// `take` collecting the waiters taken, in order.
  public mutating func take(from key: FutexKey, upTo limit: Int, matching bitset: UInt32)
    -> [Waiter]
  {
    var taken: [Waiter] = []
    take(from: key, upTo: limit, matching: bitset) { taken.append($0) }
    return taken
  }

  /// Moves up to `limit` waiters of `source` (the longest waiting first) to the end of
  /// `target`'s queue (`FUTEX_REQUEUE`); returns the ones moved.
  public mutating func move(from source: FutexKey, to target: FutexKey, upTo limit: Int)
    -> [Waiter]
  {
    guard limit > 0, source != target else { return [] }
    let from = range(of: source)
    let moving = Array(slots[from.prefix(limit)])
    slots.removeSubrange(from.prefix(limit))
    for slot in moving {
      insert(Slot(key: target, entry: slot.entry))
    }
    return moving.map { $0.entry.waiter }
  }

  /// Takes `waiter` out of `key`'s queue (its wait ended otherwise); false if it was not there
  /// (a waker took it first).
  @discardableResult
  public mutating func remove(_ waiter: Waiter, from key: FutexKey) -> Bool {
    guard let index = range(of: key).first(where: { slots[$0].entry.waiter === waiter }) else {
      return false
    }
    _ = removeSlot(at: index)
    return true
  }

  /// How many keys have waiters (a walk of the table: for tests and reports).
  public var keyCount: Int {
    var keys = 0
    for index in slots.indices where index == 0 || slots[index - 1].key != slots[index].key {
      keys += 1
    }
    return keys
  }
}
