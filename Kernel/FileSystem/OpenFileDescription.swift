/// A process's standard input: bytes tools/run-elf handed over in the launch record (in the
/// boot module, read in place), consumed front to back like a pipe's; end of file after them.
final class InputStream {
  let bytes: UnsafeRawBufferPointer
  var position = 0

  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  /// Nothing: end of file at once.
  static func empty() -> InputStream { InputStream(UnsafeRawBufferPointer(start: nil, count: 0)) }

  var remaining: Int { bytes.count - position }
}

/// An open file of the root file system — Linux's `struct file`: one per `open`, shared by
/// the descriptors `dup` makes, so they share the offset.
final class OpenNode {
  /// The node in the process's `FileTree`.
  let node: Int
  /// For `/dev/null` and `/dev/zero`: the device behind the node.
  let device: CharacterDevice?
  /// `O_ACCMODE` allowed reading / writing.
  let readable: Bool
  let writable: Bool
  /// What `F_GETFL` reports (the open flags Linux keeps in `f_flags`).
  let statusFlags: UInt64
  /// A file's byte offset; a directory's position in its entries (0 `.`, 1 `..`, 2 + i).
  var offset: UInt64 = 0

  init(node: Int, device: CharacterDevice?, readable: Bool, writable: Bool, statusFlags: UInt64) {
    self.node = node
    self.device = device
    self.readable = readable
    self.writable = writable
    self.statusFlags = statusFlags
  }
}
