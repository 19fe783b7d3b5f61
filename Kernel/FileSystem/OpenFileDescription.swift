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
/// the descriptors `dup` makes, so they share the offset. It keeps its inode alive
/// (`FileTree.opened`): when the last descriptor referring to it goes, an unlinked file is
/// freed (`deinit`).
final class OpenNode {
  /// The tree the node is in (the launch's root file system).
  let tree: FileTree
  /// The inode in `tree`.
  let node: Int
  /// For the character devices: the device behind the node.
  let device: CharacterDevice?
  /// `O_ACCMODE` allowed reading / writing.
  let readable: Bool
  let writable: Bool
  /// What `F_GETFL` reports (the open flags Linux keeps in `f_flags`; `F_SETFL` changes
  /// O_APPEND and O_NONBLOCK).
  var statusFlags: UInt64
  /// A file's byte offset; a directory's position in its entries (0 `.`, 1 `..`, 2 + i).
  var offset: UInt64 = 0
  /// A directory read's cursor: the last name `getdents64` returned, and the position it was
  /// returned at (a `lseek` elsewhere makes the position count again).
  var lastName: [UInt8]? = nil
  var lastNamePosition: UInt64 = 0

  init(
    tree: FileTree, node: Int, device: CharacterDevice?, readable: Bool, writable: Bool,
    statusFlags: UInt64
  ) {
    self.tree = tree
    self.node = node
    self.device = device
    self.readable = readable
    self.writable = writable
    self.statusFlags = statusFlags
    tree.opened(node)
    if writable { tree.nodes[node].writeAccess += 1 }  // checked by the opener (ETXTBSY)
  }

  /// `O_APPEND`: every write goes to the end.
  var appends: Bool { statusFlags & OpenFlags.append != 0 }

  deinit {
    guard !tree.isDiscarded else { return }
    if writable { tree.putWriteAccess(node) }
    tree.closed(node)
    FileData.freeIfUnused(node, in: tree)
  }
}
