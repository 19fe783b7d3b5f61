/// An open /proc file or directory (`OpenFile.generated`): its bytes are made when it is
/// opened — Linux's seq_file makes them at the first `read`, so both show the moment before the
/// reader's first look — then read and positioned like a regular file's. A directory holds
/// its `getdents64` records instead. Its `stat` size is 0, as procfs reports.
///
/// LOCK: none of its own: one description, used by the descriptors that share it under the
/// process's descriptor-table lock once a second CPU exists.
final class GeneratedFile {
  /// What it is (for `fstat` and `readlink` of /proc/self/fd/N).
  let node: ProcNode
  /// The path it was opened by, without `self` (what readlink of /proc/self/fd/N answers).
  let path: [UInt8]
  /// A file's text, made at open.
  let bytes: [UInt8]
  /// A directory's entries (`.` and `..` first).
  let entries: [ProcDirectoryEntry]
  let status: FileStatus
  /// A file's byte offset; a directory's position in its entries.
  var offset: UInt64 = 0

  init(
    node: ProcNode, path: [UInt8], bytes: [UInt8], entries: [ProcDirectoryEntry],
    status: FileStatus
  ) {
    self.node = node
    self.path = path
    self.bytes = bytes
    self.entries = entries
    self.status = status
  }

  var isDirectory: Bool { node.isDirectory }

  /// `read`: from the offset, as much as fits, moving it; 0 at the end. EISDIR for a
  /// directory.
  func read(to buffer: UInt64, count: UInt64) throws(LinuxErrno) -> UInt64 {
    let copied = try read(at: offset, to: buffer, count: count)
    offset += copied
    return copied
  }

  /// `pread64`: from `offset`, which does not move.
  func read(at offset: UInt64, to buffer: UInt64, count: UInt64) throws(LinuxErrno) -> UInt64 {
    guard !isDirectory else { throw .EISDIR }
    if case .process(let id, _, .pagemap) = node {
      return try readPagemap(of: id, at: offset, to: buffer, count: count)
    }
    guard offset < UInt64(bytes.count) else { return 0 }
    let length = Int(min(count, UInt64(bytes.count) - offset))
    var outcome = Result<Int, LinuxErrno>.success(0)
    bytes.withUnsafeBytes { raw in
      do throws(LinuxErrno) {
        outcome = .success(
          try FileReadCalls.copy(raw, from: Int(offset), count: length, to: buffer))
      } catch { outcome = .failure(error) }
    }
    return UInt64(try outcome.get())
  }

  /// The pagemap entries made and copied out at a time (Linux's `PAGEMAP_WALK_SIZE`
  /// batches: 512).
  static let pagemapBatch: UInt64 = 512

  /// `/proc/PID/pagemap` read in place: whole entries at entry offsets (EINVAL otherwise),
  /// made now from the process's leaves; past the last user page nothing (0, end of file).
  func readPagemap(of id: UInt64, at offset: UInt64, to buffer: UInt64, count: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    guard ProcPagemap.isAligned(offset: offset, count: count) else { throw .EINVAL }
    let owner = try ProcFileSystem.target(id)
    let firstPage = offset / ProcPagemap.entryBytes
    let lastPage = UserLayout.end / PageSize.size4KiB.bytes
    guard firstPage < lastPage else { return 0 }
    let pages = min(count / ProcPagemap.entryBytes, lastPage - firstPage)
    var done: UInt64 = 0
    while done < pages {
      let batch = min(pages - done, Self.pagemapBatch)
      let entries = ResidencyReports.pagemap(of: owner, firstPage: firstPage + done, count: batch)
      try UserMemory.copyOut(entries, to: buffer + done * ProcPagemap.entryBytes)
      done += batch
    }
    return done * ProcPagemap.entryBytes
  }

  /// `lseek`: SEEK_SET and SEEK_CUR (procfs's `seq_lseek` refuses SEEK_END: EINVAL).
  func seek(_ distance: UInt64, whence: UInt64) throws(LinuxErrno) -> UInt64 {
    let base: Int64
    switch whence {
    case OpenFlags.seekSet: base = 0
    case OpenFlags.seekCurrent: base = Int64(offset)
    default: throw .EINVAL
    }
    let (target, overflow) = base.addingReportingOverflow(Int64(bitPattern: distance))
    guard !overflow, target >= 0 else { throw .EINVAL }
    offset = UInt64(target)
    return offset
  }

  /// `getdents64`: whole records from the position; EINVAL when not even one fits.
  func directoryRecords(capacity: Int) throws(LinuxErrno) -> [UInt8] {
    guard isDirectory else { throw .ENOTDIR }
    var records: [UInt8] = []
    var position = Int(min(offset, UInt64(entries.count)))
    while position < entries.count {
      let entry = entries[position]
      let record = DirectoryRecord.encode(
        inode: entry.inode, nextPosition: UInt64(position + 1), type: entry.type,
        name: entry.name)
      guard records.count + record.count <= capacity else { break }
      records += record
      position += 1
    }
    if records.isEmpty, position < entries.count { throw .EINVAL }
    offset = UInt64(position)
    return records
  }
}

/// One name in a /proc directory.
struct ProcDirectoryEntry {
  let name: [UInt8]
  let inode: UInt64
  /// `DT_DIR`, `DT_REG` or `DT_LNK`.
  let type: UInt8

  static let directoryType: UInt8 = 4  // DT_DIR
  static let regularType: UInt8 = 8  // DT_REG
  static let linkType: UInt8 = 10  // DT_LNK
}
