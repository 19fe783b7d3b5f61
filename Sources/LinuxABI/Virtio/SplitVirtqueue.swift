/// One buffer of a request: `length` bytes at physical `address`, which the device reads
/// (`deviceWrites == false`) or fills (`VIRTQ_DESC_F_WRITE`).
public struct VirtqueueBuffer: Equatable {
  public let address: UInt64
  public let length: UInt32
  public let deviceWrites: Bool

  public init(address: UInt64, length: UInt32, deviceWrites: Bool) {
    self.address = address
    self.length = length
    self.deviceWrites = deviceWrites
  }
}

/// A chain the device has finished with: its head descriptor (the request's name) and how
/// many bytes the device wrote into its buffers (`vring_used_elem.len`).
public struct VirtqueueCompletion: Equatable {
  public let head: UInt16
  public let writtenLength: UInt32

  public init(head: UInt16, writtenLength: UInt32) {
    self.head = head
    self.writtenLength = writtenLength
  }
}

/// The driver's side of a split virtqueue (Virtio 1.1 §2.6) in memory it shares with the
/// device: descriptors handed out from a free list, chains offered through the available ring,
/// completions collected from the used ring.
///
/// The free descriptors are chained through their own `next` fields (`freeHead`, then each
/// one's `next`), so taking and returning a descriptor is O(1) and needs no memory of its own.
/// Ring indices are free-running 16-bit counters that wrap (§2.6.6: "idx ... wraps naturally
/// at 65536"); an index selects ring entry `index % queueSize`, which is why the queue size is
/// a power of two.
///
/// Ordering: the device may look at the ring at any moment. `add` fills descriptors and the
/// ring entry but does not publish them; the caller puts a store barrier between `add` and
/// `publish` (the device must never see an index before the entry it covers), and reads the
/// device's used index (`deviceUsedIndex`) before `takeUsed` with a load barrier between. On
/// x86 both are compiler barriers (stores are not reordered with stores, nor loads with loads).
///
/// LOCK: the owning device's lock (its request queue) guards the whole queue: `add`/`publish`
/// run in the submitting thread, `takeUsed` in the interrupt handler.
public struct SplitVirtqueue {
  /// `VIRTQ_DESC_F_NEXT`, `VIRTQ_DESC_F_WRITE` (§2.6.5).
  public static let descriptorNext: UInt16 = 1
  public static let descriptorWrite: UInt16 = 2

  public let layout: VirtqueueLayout
  /// The queue's memory as the driver sees it (`layout.totalBytes`, zeroed by the caller).
  let memory: UnsafeMutableRawPointer
  /// The first free descriptor (meaningful while `freeCount > 0`).
  var freeHead: UInt16 = 0
  public private(set) var freeCount: Int
  /// The available index after the chains added so far (published or not).
  var nextAvailable: UInt16 = 0
  /// The used index up to which completions were taken.
  var lastUsed: UInt16 = 0

  /// Takes over `memory` (zeroed, `layout.totalBytes` long) with every descriptor free.
  public init(layout: VirtqueueLayout, memory: UnsafeMutableRawPointer) {
    self.layout = layout
    self.memory = memory
    freeCount = layout.queueSize
    for index in 0..<layout.queueSize {
      setNext(UInt16(index), UInt16((index + 1) % layout.queueSize))
    }
  }

  /// Offers `buffers` as one chain in their order (the device processes it as one request);
  /// returns its head descriptor, or nil when fewer than `buffers.count` descriptors are free
  /// (nothing changed then). Not visible to the device before `publish`.
  public mutating func add(_ buffers: [VirtqueueBuffer]) -> UInt16? {
    guard !buffers.isEmpty, buffers.count <= freeCount else { return nil }
    let head = freeHead
    var index = head
    for (position, buffer) in buffers.enumerated() {
      let next = self.next(index)
      let last = position == buffers.count - 1
      writeDescriptor(
        index, buffer,
        flags: (last ? 0 : Self.descriptorNext) | (buffer.deviceWrites ? Self.descriptorWrite : 0))
      if last { freeHead = next } else { index = next }
    }
    freeCount -= buffers.count
    let slot = Int(nextAvailable) & (layout.queueSize - 1)
    store(head, at: layout.availableRingOffset + VirtqueueLayout.ringHeaderSize + 2 * slot)
    nextAvailable &+= 1
    return head
  }

  /// The descriptor the next `add` makes its chain's head (meaningful while one is free), so
  /// a caller can place per-request data indexed by the head before adding.
  public var nextFreeDescriptor: UInt16 { freeHead }

  /// Makes every chain added so far visible to the device (`avail->idx`). The caller's
  /// notification (the device's queue-notify register) follows.
  public func publish() {
    store(nextAvailable, at: layout.availableRingOffset + 2)
  }

  /// The device's used index (`used->idx`), read once.
  public var deviceUsedIndex: UInt16 {
    memory.load(fromByteOffset: layout.usedRingOffset + 2, as: UInt16.self)
  }

  /// Chains the device has offered back but that were not taken yet, given its used index.
  public func pendingCompletions(deviceIndex: UInt16) -> Int { Int(deviceIndex &- lastUsed) }

  /// Takes the next completion below `deviceIndex` (a value of `deviceUsedIndex`) and returns
  /// its chain's descriptors to the free list; nil when all were taken.
  public mutating func takeUsed(deviceIndex: UInt16) -> VirtqueueCompletion? {
    guard lastUsed != deviceIndex else { return nil }
    let slot = Int(lastUsed) & (layout.queueSize - 1)
    let entry = layout.usedRingOffset + VirtqueueLayout.ringHeaderSize + VirtqueueLayout.usedEntrySize * slot
    let head = UInt16(truncatingIfNeeded: memory.load(fromByteOffset: entry, as: UInt32.self))
    let length = memory.load(fromByteOffset: entry + 4, as: UInt32.self)
    lastUsed &+= 1
    release(head)
    return VirtqueueCompletion(head: head, writtenLength: length)
  }

  /// Returns the chain starting at `head` to the free list.
  mutating func release(_ head: UInt16) {
    var index = head
    var count = 1
    while flags(index) & Self.descriptorNext != 0 {
      index = next(index)
      count += 1
    }
    setNext(index, freeHead)
    freeHead = head
    freeCount += count
  }

  // MARK: descriptor fields (§2.6.5: addr at 0, len at 8, flags at 12, next at 14)

  func descriptorOffset(_ index: UInt16) -> Int {
    layout.descriptorTableOffset + VirtqueueLayout.descriptorSize * Int(index)
  }

  func writeDescriptor(_ index: UInt16, _ buffer: VirtqueueBuffer, flags: UInt16) {
    let offset = descriptorOffset(index)
    memory.storeBytes(of: buffer.address, toByteOffset: offset, as: UInt64.self)
    memory.storeBytes(of: buffer.length, toByteOffset: offset + 8, as: UInt32.self)
    memory.storeBytes(of: flags, toByteOffset: offset + 12, as: UInt16.self)
  }

  func flags(_ index: UInt16) -> UInt16 {
    memory.load(fromByteOffset: descriptorOffset(index) + 12, as: UInt16.self)
  }

  func next(_ index: UInt16) -> UInt16 {
    memory.load(fromByteOffset: descriptorOffset(index) + 14, as: UInt16.self)
  }

  func setNext(_ index: UInt16, _ next: UInt16) {
    memory.storeBytes(of: next, toByteOffset: descriptorOffset(index) + 14, as: UInt16.self)
  }

  func store(_ value: UInt16, at offset: Int) {
    memory.storeBytes(of: value, toByteOffset: offset, as: UInt16.self)
  }
}
