/// A virtio-blk request as the device reads it (Virtio 1.1 §5.2.6): a 16-byte header
/// (`struct virtio_blk_req`: type u32, reserved u32, sector u64) the device reads, the data
/// buffers, then one status byte the device writes. The legacy interface without
/// `VIRTIO_F_ANY_LAYOUT` wants the header and the status in descriptors of their own, which
/// is what `buffers` gives.
public enum VirtioBlockRequest {
  /// `VIRTIO_BLK_T_IN` (the device writes memory: a disk read), `VIRTIO_BLK_T_OUT`.
  public static let typeIn: UInt32 = 0
  public static let typeOut: UInt32 = 1
  /// `VIRTIO_BLK_S_OK`, `VIRTIO_BLK_S_IOERR`, `VIRTIO_BLK_S_UNSUPP`.
  public static let statusOK: UInt8 = 0
  public static let statusIOError: UInt8 = 1
  public static let statusUnsupported: UInt8 = 2
  public static let headerSize = 16
  public static let sectorOffset = 8
  /// The device counts in 512-byte sectors whatever its block size (§5.2.6).
  public static let sectorSize: UInt64 = 512
  public static let pageSize: UInt64 = 4096
  public static let sectorsPerPage = pageSize / sectorSize

  /// The chain for moving `pages` (physical addresses of 4 KiB pages, in disk order) with the
  /// header at `header` and the status byte at `status`. Pages that follow each other in
  /// physical memory share one descriptor, so a batch of contiguous frames costs three
  /// descriptors whatever its length.
  public static func buffers(
    header: UInt64, status: UInt64, pages: [UInt64], deviceWrites: Bool
  ) -> [VirtqueueBuffer] {
    var chain = [VirtqueueBuffer(address: header, length: UInt32(headerSize), deviceWrites: false)]
    var runStart: UInt64? = nil
    var runLength: UInt64 = 0
    for page in pages {
      if let start = runStart, start + runLength == page, runLength < maximumSegmentBytes {
        runLength += pageSize
        continue
      }
      if let start = runStart {
        chain.append(VirtqueueBuffer(address: start, length: UInt32(runLength), deviceWrites: deviceWrites))
      }
      runStart = page
      runLength = pageSize
    }
    if let start = runStart {
      chain.append(VirtqueueBuffer(address: start, length: UInt32(runLength), deviceWrites: deviceWrites))
    }
    chain.append(VirtqueueBuffer(address: status, length: 1, deviceWrites: true))
    return chain
  }

  /// One descriptor's length is a u32; runs are cut well below that (1 MiB).
  public static let maximumSegmentBytes: UInt64 = 1 << 20

  /// Data descriptors `buffers` would use for `pages` (what a device's `seg_max` limits).
  public static func segmentCount(_ pages: [UInt64]) -> Int {
    buffers(header: 0, status: 0, pages: pages, deviceWrites: false).count - 2
  }

  /// Writes the header for a request of `type` at `sector` into `header` (16 bytes).
  public static func writeHeader(_ header: UnsafeMutableRawPointer, type: UInt32, sector: UInt64) {
    header.storeBytes(of: type, toByteOffset: 0, as: UInt32.self)
    header.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
    header.storeBytes(of: sector, toByteOffset: sectorOffset, as: UInt64.self)
  }
}
