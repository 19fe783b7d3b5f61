import KernelMemory
import LinuxABI
import Testing

/// The writable tree's changes (FileTree+Changes.swift): names created and removed with
/// Linux's errors, link counts, renames, inode lifetime (an unlinked file lives while open),
/// and a directory read that goes on correctly while entries come and go.
@Suite struct FileTreeChangesTests {
  static let now: UInt64 = 1_700_000_000_000_000_000
  static let regular = FileMode.regular | 0o644
  static let directory = FileMode.directory | 0o755

  func name(_ text: String) -> [UInt8] { Array(text.utf8) }

  func errno(_ body: () throws(LinuxErrno) -> Void) -> LinuxErrno? {
    do throws(LinuxErrno) {
      try body()
      return nil
    } catch { return error }
  }

  /// /proc's names for files (`anyPath`): files keep no parent, so a name is found in the
  /// directories; a hard link gives one of its names, an unlinked file none.
  @Test func anyPathNamesAFileThroughItsDirectoryEntries() throws {
    let tree = FileTree()
    let dir = try tree.create(in: FileTree.root, named: name("d"), mode: Self.directory, now: 0)
    let file = try tree.create(in: dir, named: name("f"), mode: Self.regular, now: 0)
    let top = try tree.create(in: FileTree.root, named: name("t"), mode: Self.regular, now: 0)
    #expect(tree.anyPath(of: file) == name("/d/f"))
    #expect(tree.anyPath(of: top) == name("/t"))
    #expect(tree.anyPath(of: dir) == name("/d"))
    #expect(tree.anyPath(of: FileTree.root) == name("/"))
    try tree.link(file, in: FileTree.root, named: name("hard"), now: 0)
    try tree.unlink(in: dir, named: name("f"), now: 0)
    #expect(tree.anyPath(of: file) == name("/hard"))
    tree.opened(file)
    try tree.unlink(in: FileTree.root, named: name("hard"), now: 0)
    #expect(tree.anyPath(of: file) == nil)
  }

  @Test func createsAndRemovesWithLinuxsErrors() throws {
    let tree = FileTree()
    let root = FileTree.root
    let file = try tree.create(in: root, named: name("f"), mode: Self.regular, now: Self.now)
    let dir = try tree.create(in: root, named: name("d"), mode: Self.directory, now: Self.now)
    #expect(tree.linkCount(of: root) == 3)
    #expect(tree.linkCount(of: dir) == 2)
    #expect(tree.nodes[root].modificationTime == Self.now)
    #expect(
      errno { () throws(LinuxErrno) in
        _ = try tree.create(in: root, named: name("f"), mode: Self.regular, now: 0)
      } == .EEXIST)
    let long = [UInt8](repeating: 0x61, count: FileTree.maximumNameLength + 1)
    #expect(
      errno { () throws(LinuxErrno) in
        _ = try tree.create(in: root, named: long, mode: Self.regular, now: 0)
      } == .ENAMETOOLONG)
    #expect(
      errno { () throws(LinuxErrno) in
        _ = try tree.create(in: file, named: name("x"), mode: Self.regular, now: 0)
      } == .ENOTDIR)
    _ = try tree.create(in: dir, named: name("inner"), mode: Self.regular, now: Self.now)
    #expect(
      errno { () throws(LinuxErrno) in try tree.removeDirectory(in: root, named: name("d"), now: 0)
      } == .ENOTEMPTY)
    #expect(
      errno { () throws(LinuxErrno) in _ = try tree.unlink(in: root, named: name("d"), now: 0) }
        == .EISDIR)
    #expect(
      errno { () throws(LinuxErrno) in try tree.removeDirectory(in: root, named: name("f"), now: 0)
      } == .ENOTDIR)
    #expect(
      errno { () throws(LinuxErrno) in _ = try tree.unlink(in: root, named: name("none"), now: 0) }
        == .ENOENT)
    let inner = try tree.unlink(in: dir, named: name("inner"), now: Self.now)
    #expect(tree.freeIfUnused(inner) != nil)
    try tree.removeDirectory(in: root, named: name("d"), now: Self.now)
    #expect(tree.linkCount(of: root) == 2)
    #expect(tree.isRemoved(dir))
    #expect(
      errno { () throws(LinuxErrno) in
        _ = try tree.create(in: dir, named: name("x"), mode: Self.regular, now: 0)
      } == .ENOENT)
  }

  @Test func anUnlinkedFileLivesWhileOpenAndItsSlotIsReusedWithANewInode() throws {
    let tree = FileTree()
    let file = try tree.create(in: FileTree.root, named: name("f"), mode: Self.regular, now: 0)
    let inode = tree.nodes[file].inode
    try tree.link(file, in: FileTree.root, named: name("g"), now: 0)
    #expect(tree.linkCount(of: file) == 2)
    tree.opened(file)
    _ = try tree.unlink(in: FileTree.root, named: name("f"), now: 0)
    _ = try tree.unlink(in: FileTree.root, named: name("g"), now: 0)
    #expect(tree.linkCount(of: file) == 0)
    #expect(tree.freeIfUnused(file) == nil)  // still open
    #expect(tree.nodes[file].isLive)
    tree.closed(file)
    #expect(tree.freeIfUnused(file) != nil)
    let next = try tree.create(in: FileTree.root, named: name("h"), mode: Self.regular, now: 0)
    #expect(next == file)
    #expect(tree.nodes[next].inode != inode)
  }

  @Test func renamesAsLinuxDoes() throws {
    let tree = FileTree()
    let root = FileTree.root
    let a = try tree.create(in: root, named: name("a"), mode: Self.directory, now: 0)
    let b = try tree.create(in: a, named: name("b"), mode: Self.directory, now: 0)
    let c = try tree.create(in: root, named: name("c"), mode: Self.directory, now: 0)
    let f = try tree.create(in: root, named: name("f"), mode: Self.regular, now: 0)
    let g = try tree.create(in: root, named: name("g"), mode: Self.regular, now: 0)
    func rename(_ from: Int, _ old: String, _ to: Int, _ new: String, _ flags: UInt64 = 0)
      -> LinuxErrno?
    {
      errno { () throws(LinuxErrno) in
        _ = try tree.rename(
          from: from, named: name(old), to: to, named: name(new), flags: flags, now: 0)
      }
    }
    #expect(rename(root, "a", b, "x") == .EINVAL)
    #expect(rename(root, "f", root, "c") == .EISDIR)
    #expect(rename(root, "c", root, "f") == .ENOTDIR)
    #expect(rename(root, "c", root, "a") == .ENOTEMPTY)
    #expect(rename(root, "f", root, "g", FileTree.renameNoReplace) == .EEXIST)
    #expect(rename(root, "f", root, "none", FileTree.renameExchange) == .ENOENT)
    #expect(rename(root, "f", root, "g", FileTree.renameExchange) == nil)
    #expect(tree.child(of: root, named: name("f")) == g)
    let replaced = try tree.rename(
      from: root, named: name("f"), to: root, named: name("g"), flags: 0, now: 0)
    #expect(replaced == f)
    #expect(tree.linkCount(of: f) == 0)
    #expect(tree.child(of: root, named: name("f")) == nil)
    #expect(rename(a, "b", root, "c") == nil)  // a directory over an empty one
    #expect(tree.isRemoved(c))
    #expect(tree.child(of: root, named: name("c")) == b)
    #expect(tree.nodes[b].parent == root)
    #expect(tree.path(of: b) == name("/c"))
    #expect(tree.linkCount(of: a) == 2)
    _ = try tree.rename(from: root, named: name("c"), to: a, named: name("moved"), flags: 0, now: 0)
    #expect(tree.path(of: b) == name("/a/moved"))
  }

  @Test func aDirectoryReadSeesEveryEntryThatStaysExactlyOnce() throws {
    let tree = FileTree()
    for index in 0..<50 {
      _ = try tree.create(
        in: FileTree.root, named: name("e" + String(index)), mode: Self.regular, now: 0)
    }
    var position = 0
    var after: [UInt8]? = nil
    var seen: [[UInt8]] = []
    while true {
      let (bytes, next, last) = tree.directoryRecords(
        of: FileTree.root, from: position, after: after, capacity: 100)
      if bytes.isEmpty { break }
      var offset = 0
      while offset < bytes.count {
        let length = Int(bytes[offset + 16]) | Int(bytes[offset + 17]) << 8
        let end = bytes[(offset + DirectoryRecord.headerSize)...].firstIndex(of: 0)!
        let entry = Array(bytes[(offset + DirectoryRecord.headerSize)..<end])
        seen.append(entry)
        if entry.first == 0x65 {  // "e…": removed once read, as rm -r does
          _ = try tree.unlink(in: FileTree.root, named: entry, now: 0)
        }
        offset += length
      }
      _ = try? tree.create(
        in: FileTree.root, named: name("new" + String(next)), mode: Self.regular, now: 0)
      (position, after) = (next, last)
    }
    let originals = seen.filter { $0.first == 0x65 }
    #expect(originals.count == 50)
    #expect(Set(originals.map { String(decoding: $0, as: UTF8.self) }).count == 50)
  }
}
