import LinuxABI
import Testing

/// `FileNode.writeAccess` (Linux's `i_writecount`): writers and running images of a file
/// exclude each other — ETXTBSY either way — and each side may be many.
@Suite struct FileTreeWriteAccessTests {
  static let regular = FileMode.regular | 0o755

  @Test func writersAndRunningImagesExcludeEachOther() throws {
    let tree = FileTree()
    let file = try tree.create(
      in: FileTree.root, named: Array("program".utf8), mode: Self.regular, now: 0)
    try tree.denyWriteAccess(file)
    try tree.denyWriteAccess(file)  // two processes run it
    #expect(throws: LinuxErrno.ETXTBSY) { try tree.getWriteAccess(file) }
    #expect(throws: LinuxErrno.ETXTBSY) { try tree.checkWritable(file) }
    tree.allowWriteAccess(file)
    #expect(throws: LinuxErrno.ETXTBSY) { try tree.getWriteAccess(file) }
    tree.allowWriteAccess(file)
    try tree.checkWritable(file)
    try tree.getWriteAccess(file)
    try tree.getWriteAccess(file)  // two writing descriptions
    #expect(throws: LinuxErrno.ETXTBSY) { try tree.denyWriteAccess(file) }
    tree.putWriteAccess(file)
    #expect(throws: LinuxErrno.ETXTBSY) { try tree.denyWriteAccess(file) }
    tree.putWriteAccess(file)
    try tree.denyWriteAccess(file)
    #expect(tree.nodes[file].writeAccess == -1)
  }
}
