/// The bytes of a read-only file that a page-cache object (`MemoryObjectKind.fileContents`)
/// fills its pages from: the root file system's data, unpacked from the initramfs — in memory
/// but not page aligned, so it cannot be mapped itself.
///
/// Held as an address and a length (not a buffer pointer, which is not `Sendable`): whoever
/// creates it promises the bytes stay, unchanged, for as long as any object made from them
/// lives (the initramfs stays for the kernel's lifetime; tests keep their buffers).
public struct FileContents: Sendable, Equatable {
  /// Where the file's first byte is (any alignment).
  public let address: UInt
  /// The file's size in bytes.
  public let byteCount: UInt64

  /// The contents of `bytes`, which must outlive every object made from them.
  public init(_ bytes: UnsafeRawBufferPointer) {
    address = UInt(bitPattern: bytes.baseAddress)
    byteCount = UInt64(bytes.count)
  }

  /// The pages the file covers (the last one partly, zero-filled past the end).
  public var pageCount: UInt64 {
    (byteCount + PageSize.size4KiB.offsetMask) >> PageSize.size4KiB.shift
  }

  /// The file's page `offset` as 512 quadwords, written to `frame` through `memory` one
  /// quadword at a time (the file's bytes are not aligned; past the end of the file, zeros).
  func fill<Memory: PhysicalMemoryAccess>(
    _ frame: PhysicalFrame, page offset: UInt64, through memory: Memory
  ) {
    let wordBytes = UInt64(MemoryLayout<UInt64>.size)
    let first = offset << PageSize.size4KiB.shift
    let source = UnsafeRawPointer(bitPattern: address)
    var word: UInt64 = 0
    while word < PageSize.size4KiB.bytes / wordBytes {
      let start = first + word * wordBytes
      memory.store(
        quadword(at: start, from: source),
        at: PhysicalAddress(unchecked: frame.address.value + word * wordBytes))
      word += 1
    }
  }

  /// The little-endian quadword of the file at byte `start`, zeros past the end.
  func quadword(at start: UInt64, from source: UnsafeRawPointer?) -> UInt64 {
    let wordBytes = UInt64(MemoryLayout<UInt64>.size)
    guard let source, start < byteCount else { return 0 }
    if start + wordBytes <= byteCount {
      return UInt64(littleEndian: source.loadUnaligned(fromByteOffset: Int(start), as: UInt64.self))
    }
    var value: UInt64 = 0
    var byte = start
    while byte < byteCount {
      let shift = (byte - start) * 8
      value |= UInt64(source.load(fromByteOffset: Int(byte), as: UInt8.self)) << shift
      byte += 1
    }
    return value
  }
}
