/// Why the frame allocator refused a request.
///
/// Every misuse is reported with the frame that caused it, so a double free names its victim
/// instead of silently corrupting the free count. Exhaustion is an error like any other: the caller
/// decides whether it is fatal (the kernel's own allocations panic; a process's request fails with
/// ENOMEM).
public enum FrameAllocatorError: Error, Equatable, Sendable {
  /// No free frame, or no free run of the requested size, alignment and limit.
  case outOfMemory
  /// The frame is free already: freed twice, or never allocated.
  case doubleFree(PhysicalFrame)
  /// The frame is not RAM the allocator manages (firmware-reserved, a hole, or reserved by the
  /// kernel).
  case reservedFrame(PhysicalFrame)
  /// The frame lies beyond the memory the allocator covers.
  case outOfRange(PhysicalFrame)
  /// A range to reserve holds a frame that is currently allocated.
  case frameInUse(PhysicalFrame)
  /// A count of zero, or an alignment that is not a power of two.
  case invalidRequest
  /// The caller's storage is smaller than `FrameBitmap.requiredStorageWords(frameCount:)`.
  case storageTooSmall(requiredWords: Int)
  /// The memory map holds no usable frame.
  case noUsableMemory
}
