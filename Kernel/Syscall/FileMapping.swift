/// The memory object holding an open regular file's pages, and the file's size in bytes:
/// what `mmap` of a file maps (`FileMapping`). It is the file's own object in the writable
/// file system (`FileData.memoryObject(for:)`): the frames `read`, `write`, `execve` and every
/// other mapping of the file use. nil when the file cannot have one (its charge refused).
func fileMemoryObject(for node: OpenNode) -> (object: MemoryObjectID, size: UInt64)? {
  (try? FileData.memoryObject(for: node)) ?? nil
}

/// `mmap` of an open file, after LinuxABI's `decodeMap`: the checks only the file can answer,
/// in Linux 6.1's order (`do_mmap`), then the mapping.
///
/// - `MAP_SHARED` with `PROT_WRITE` of a file not open for writing: EACCES; a file not open
///   for reading: EACCES; anything without pages to map (a directory, a pipe, the console,
///   `/dev/null`): ENODEV; `MAP_GROWSDOWN`: EINVAL.
/// - `/dev/zero` is anonymous memory (`mmap_zero`): shared or private as asked.
/// - `MAP_PRIVATE`: the file's pages, copied on write (`reservePrivateMapping`), charged like
///   anonymous memory so a copy never fails.
/// - `MAP_SHARED` of a file open for writing: the file's own pages (`reserveSharedMapping`),
///   uncharged. Of a file open read-only it can never be written, so it is mapped as a
///   private mapping that may never become writable (`reserveReadOnlySharedMapping`) — as
///   Linux's `do_mmap` clears `VM_SHARED` and `VM_MAYWRITE` for it: `mprotect(PROT_WRITE)`
///   on it is EACCES, and /proc/PID/maps shows it `s`.
/// - Pages past the end of the file are SIGBUS (`KillReason.Kind.pastEndOfFile`).
enum FileMapping {
  static func map(_ request: MapRequest, _ file: MappedFile, _ open: OpenFile) throws(LinuxErrno)
    -> UInt64
  {
    guard case .node(let node) = open else { throw .ENODEV }
    let writing = request.protection.contains(.write)
    if file.shared, writing, !node.writable { throw .EACCES }
    guard node.readable else { throw .EACCES }
    if node.device == .zero { return try mapZero(request, file) }
    guard node.device == nil, PathCalls.tree.nodes[node.node].isRegular else { throw .ENODEV }
    guard !file.growsDown else { throw .EINVAL }
    // A shared mapping that may write the file parts it from the archive's bytes first, as a
    // `write` does, so reclaim never drops one of its pages as clean (PageCacheReclaim.swift).
    if file.shared, node.writable { _ = try FileData.changing(node.node, in: node.tree) }
    guard let (object, _) = fileMemoryObject(for: node) else { throw .ENOMEM }
    let range = try MemorySystemCalls.perform { (space) throws(AddressSpaceError) in
      if file.shared, node.writable {
        return try space.reserveSharedMapping(
          of: object, page: file.page, length: request.length,
          protection: request.protection, at: request.placement)
      }
      if file.shared {
        return try space.reserveReadOnlySharedMapping(
          of: object, page: file.page, length: request.length,
          protection: request.protection, at: request.placement)
      }
      return try space.reservePrivateMapping(
        of: object, page: file.page, length: request.length, protection: request.protection,
        at: request.placement)
    }
    return range.start
  }

  /// `/dev/zero`'s mapping: anonymous memory, shared memory for `MAP_SHARED`.
  static func mapZero(_ request: MapRequest, _ file: MappedFile) throws(LinuxErrno) -> UInt64 {
    guard !file.growsDown else { throw .EINVAL }
    let range = try MemorySystemCalls.perform { (space) throws(AddressSpaceError) in
      try space.reserve(
        length: request.length, protection: request.protection,
        kind: file.shared ? .sharedAnonymous : .anonymous, at: request.placement)
    }
    return range.start
  }
}
