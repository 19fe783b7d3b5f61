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

/// The futexes that have waiters: for each key, its waiters in arrival order with their
/// bitsets (Linux's futex hash buckets, as one sorted table: every operation is a binary search,
/// O(log n) in the number of keys waited on, plus the waiters it touches).
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

  /// The keys with waiters, sorted, each with its waiters in arrival order.
  private var keys: [FutexKey] = []
  private var queues: [[Entry]] = []
  /// How many waiters there are in all.
  public private(set) var count = 0
  /// The most waiters at once.
  public let limit: Int

  public init(limit: Int) { self.limit = limit }

  /// The position of `key`, or where it would go.
  private func search(_ key: FutexKey) -> (index: Int, found: Bool) {
    var low = 0
    var high = keys.count
    while low < high {
      let middle = (low + high) / 2
      if keys[middle] < key { low = middle + 1 } else { high = middle }
    }
    return (low, low < keys.count && keys[low] == key)
  }

  /// Adds a waiter at the end of `key`'s queue; false when the table is full.
  public mutating func enqueue(_ waiter: Waiter, on key: FutexKey, bitset: UInt32) -> Bool {
    guard count < limit else { return false }
    append([Entry(waiter: waiter, bitset: bitset)], to: key)
    return true
  }

  private mutating func append(_ entries: [Entry], to key: FutexKey) {
    guard !entries.isEmpty else { return }
    let (index, found) = search(key)
    if found {
      queues[index].append(contentsOf: entries)
    } else {
      keys.insert(key, at: index)
      queues.insert(entries, at: index)
    }
    count += entries.count
  }

  /// The waiters of `key`, in order.
  public func waiters(of key: FutexKey) -> [Entry] {
    let (index, found) = search(key)
    return found ? queues[index] : []
  }

  /// Takes out up to `limit` waiters of `key` whose bitset shares a bit with `bitset`, the
  /// longest waiting first, and returns them (the caller wakes them).
  public mutating func take(from key: FutexKey, upTo limit: Int, matching bitset: UInt32)
    -> [Waiter]
  {
    let (index, found) = search(key)
    guard found, limit > 0 else { return [] }
    var taken: [Waiter] = []
    var kept: [Entry] = []
    for entry in queues[index] {
      if taken.count < limit && entry.bitset & bitset != 0 {
        taken.append(entry.waiter)
      } else {
        kept.append(entry)
      }
    }
    replace(at: index, with: kept)
    count -= taken.count
    return taken
  }

  /// Moves up to `limit` waiters of `source` (the longest waiting first) to the end of
  /// `target`'s queue (`FUTEX_REQUEUE`); returns the ones moved.
  public mutating func move(from source: FutexKey, to target: FutexKey, upTo limit: Int)
    -> [Waiter]
  {
    let (index, found) = search(source)
    guard found, limit > 0, source != target else { return [] }
    let moving = Array(queues[index].prefix(limit))
    replace(at: index, with: Array(queues[index].dropFirst(moving.count)))
    count -= moving.count
    append(moving, to: target)
    return moving.map { $0.waiter }
  }

  /// Takes `waiter` out of `key`'s queue (its wait ended otherwise); false if it was not there
  /// (a waker took it first).
  @discardableResult
  public mutating func remove(_ waiter: Waiter, from key: FutexKey) -> Bool {
    let (index, found) = search(key)
    guard found, let position = queues[index].firstIndex(where: { $0.waiter === waiter }) else {
      return false
    }
    var queue = queues[index]
    queue.remove(at: position)
    replace(at: index, with: queue)
    count -= 1
    return true
  }

  /// Stores `queue` at `index`, dropping the key when it is empty.
  private mutating func replace(at index: Int, with queue: [Entry]) {
    if queue.isEmpty {
      keys.remove(at: index)
      queues.remove(at: index)
    } else {
      queues[index] = queue
    }
  }

  /// How many keys have waiters.
  public var keyCount: Int { keys.count }
}
