/// Where a split virtqueue's three parts lie in its memory, in the legacy interface's layout
/// (Virtio 1.1 §2.6.2 "Legacy Interfaces: A Note on Virtqueue Layout"): the descriptor table,
/// the available ring right after it, then — at the next `legacyAlignment` boundary — the used
/// ring. A legacy device is told only the first page's number (`QUEUE_PFN`) and computes the
/// rest itself from the queue size it announced, so the layout must be exactly this.
public struct VirtqueueLayout: Equatable {
  /// `VIRTIO_PCI_VRING_ALIGN`: the used ring starts on a 4 KiB boundary.
  public static let legacyAlignment = 4096
  /// `struct vring_desc`: addr (u64), len (u32), flags (u16), next (u16).
  public static let descriptorSize = 16
  /// `struct vring_avail` / `vring_used` headers: flags (u16), idx (u16).
  public static let ringHeaderSize = 4
  /// An available-ring entry: a descriptor index (u16).
  public static let availableEntrySize = 2
  /// `struct vring_used_elem`: id (u32), len (u32).
  public static let usedEntrySize = 8
  /// `used_event` / `avail_event`: the u16 after each ring (event-index feature; unused here,
  /// but part of the layout).
  public static let eventFieldSize = 2

  /// Descriptors (and entries per ring): a power of two, at most 32768 (§2.6).
  public let queueSize: Int
  public var descriptorTableOffset: Int { 0 }
  public var availableRingOffset: Int { Self.descriptorSize * queueSize }
  public var usedRingOffset: Int {
    let availableEnd =
      availableRingOffset + Self.ringHeaderSize + Self.availableEntrySize * queueSize
      + Self.eventFieldSize
    return (availableEnd + Self.legacyAlignment - 1) / Self.legacyAlignment * Self.legacyAlignment
  }
  /// Bytes the whole queue needs (physically contiguous: the device sees one address).
  public var totalBytes: Int {
    usedRingOffset + Self.ringHeaderSize + Self.usedEntrySize * queueSize + Self.eventFieldSize
  }
  /// Whole pages of `legacyAlignment` bytes the queue needs.
  public var pages: Int { (totalBytes + Self.legacyAlignment - 1) / Self.legacyAlignment }

  /// The largest queue the split format allows (§2.6: "Queue Size ... maximum 32768").
  public static let maximumQueueSize = 32768

  /// nil unless `queueSize` is a power of two in 1…32768.
  public init?(queueSize: Int) {
    guard queueSize > 0, queueSize <= Self.maximumQueueSize, queueSize.nonzeroBitCount == 1
    else { return nil }
    self.queueSize = queueSize
  }
}
