import LinuxABI
import Testing

@Suite struct FileTreeTests {
  static func tree() -> CPIOTestArchive {
    var archive = CPIOTestArchive()
    archive.add(".", mode: FileMode.directory | 0o755)
    archive.directory("etc")
    archive.file("etc/motd", "hello\n")
    archive.file("usr/lib/deep", "implied directories")  // usr, usr/lib implied
    archive.symlink("etc/relative", "motd")
    archive.symlink("absolute", "/etc/motd")
    archive.symlink("dirlink", "etc")
    archive.symlink("loop", "loop")
    archive.symlink("dangling", "nowhere")
    archive.symlink("up", "../../etc")
    archive.file("../escape", "never")
    archive.file("etc/motd", "replaced\n")
    archive.trailer()
    return archive
  }

  func find(_ tree: FileTree, _ path: String, follow: Bool = true, from: Int = FileTree.root)
    throws(LinuxErrno) -> Int
  {
    try tree.resolve(Array(path.utf8), from: from, followFinal: follow)
  }

  func errno(_ tree: FileTree, _ path: String, follow: Bool = true) -> LinuxErrno? {
    do throws(LinuxErrno) {
      _ = try find(tree, path, follow: follow)
      return nil
    } catch { return error }
  }

  @Test func resolvesFilesDirectoriesAndLinks() throws {
    try Self.tree().withTree { tree in
      let motd = try find(tree, "/etc/motd")
      #expect(String(decoding: tree.data(of: motd), as: UTF8.self) == "replaced\n")
      #expect(try find(tree, "etc/relative") == motd)
      #expect(try find(tree, "/absolute") == motd)
      #expect(try find(tree, "/dirlink/motd") == motd)
      #expect(try find(tree, "/up/motd") == motd)  // `..` stops at the root
      #expect(try find(tree, "/./etc/../etc//motd") == motd)
      #expect(try find(tree, "/usr/lib/deep") != motd)
      #expect(tree.nodes[try find(tree, "/usr")].mode == FileTree.impliedDirectoryMode)
      #expect(try find(tree, "/") == FileTree.root)
      #expect(try find(tree, "/..") == FileTree.root)
      let link = try find(tree, "/absolute", follow: false)
      #expect(tree.nodes[link].isSymbolicLink)
      #expect(try find(tree, "/dirlink/", follow: false) == find(tree, "/etc"))
      #expect(errno(tree, "/escape") == .ENOENT)
    }
  }

  @Test func errorsAreLinuxs() throws {
    try Self.tree().withTree { tree in
      #expect(errno(tree, "/missing") == .ENOENT)
      #expect(errno(tree, "/missing/x") == .ENOENT)
      #expect(errno(tree, "/etc/motd/x") == .ENOTDIR)
      #expect(errno(tree, "/etc/motd/") == .ENOTDIR)
      #expect(errno(tree, "/etc/motd/.") == .ENOTDIR)
      #expect(errno(tree, "/loop") == .ELOOP)
      #expect(errno(tree, "/loop", follow: false) == nil)
      #expect(errno(tree, "/loop/x", follow: false) == .ELOOP)
      #expect(errno(tree, "/dangling") == .ENOENT)
      #expect(errno(tree, "/" + String(repeating: "n", count: 256)) == .ENAMETOOLONG)
      #expect(errno(tree, "/" + String(repeating: "n", count: 255)) == .ENOENT)
    }
  }

  @Test func linkChainsStopAtForty() throws {
    var archive = CPIOTestArchive()
    archive.file("target", "t")
    archive.symlink("l0", "target")
    for index in 1...41 { archive.symlink("l\(index)", "l\(index - 1)") }
    archive.trailer()
    try archive.withTree { tree in
      #expect(errno(tree, "/l39") == nil)  // 40 links
      #expect(errno(tree, "/l40") == .ELOOP)  // 41 links
    }
  }

  @Test func missingFinalComponentNamesItsDirectory() throws {
    try Self.tree().withTree { tree in
      let etc = try find(tree, "/etc")
      #expect(
        try tree.lookup(Array("/etc/new".utf8), from: 0, followFinal: true)
          == .missing(parent: etc))
      #expect(
        try tree.lookup(Array("new".utf8), from: etc, followFinal: true)
          == .missing(parent: etc))
    }
  }

  @Test func childrenAreSortedAndStatusIsTmpfsLike() throws {
    try Self.tree().withTree { tree in
      for node in tree.nodes {
        let names = node.entries.map { $0.name }
        #expect(names == names.sorted { $0.lexicographicallyPrecedes($1) })
      }
      let root = tree.status(of: FileTree.root)
      #expect(root.inode == 1)
      #expect(root.linkCount == 4)  // ., etc, usr + the parent's entry
      let motd = tree.status(of: try find(tree, "/etc/motd"))
      #expect(motd.size == 9)
      #expect(motd.blocks == 8)
      #expect(motd.mode == FileMode.regular | 0o644)
      #expect(tree.path(of: try find(tree, "/usr/lib")) == Array("/usr/lib".utf8))
      #expect(tree.path(of: FileTree.root) == Array("/".utf8))
    }
  }

  @Test func standardDevicesAreAddedUnlessPresent() throws {
    var archive = CPIOTestArchive()
    archive.add("dev/console", mode: FileMode.characterDevice | 0o620, major: 5, minor: 1)
    archive.trailer()
    try archive.withTree { tree in
      tree.addStandardDevices()
      let console = tree.nodes[try find(tree, "/dev/console")]
      #expect(console.mode == FileMode.characterDevice | 0o620)
      let null = tree.nodes[try find(tree, "/dev/null")]
      #expect(CharacterDevice(major: null.deviceMajor, minor: null.deviceMinor) == .null)
      #expect(try find(tree, "/dev/zero") > 0)
    }
  }

  @Test func standardDevicesCreateTheirDirectory() throws {
    let tree = FileTree()
    tree.addStandardDevices()
    let dev = try find(tree, "/dev")
    #expect(tree.nodes[dev].mode == FileTree.impliedDirectoryMode)
    #expect(tree.nodes[dev].entries.count == 7)  // null zero full random urandom tty console
    #expect(tree.nodes[try find(tree, "/tmp")].mode == FileMode.directory | 0o1777)
  }

  @Test func directoryRecordsListDotsThenEntries() throws {
    try Self.tree().withTree { tree in
      let etc = try find(tree, "/etc")
      let (bytes, next, _) = tree.directoryRecords(of: etc, from: 0, capacity: 4096)
      #expect(next == 4)
      #expect(bytes.count == 24 + 24 + 24 + 32)  // ".", "..", "motd", "relative"
      #expect(bytes[16] == 24 && bytes[18] == FileMode.directoryEntryType(FileMode.directory))
      let (partial, after, _) = tree.directoryRecords(of: etc, from: 0, capacity: 50)
      #expect(partial.count == 48 && after == 2)
    }
  }

  @Test func launchRecordCarriesBytesExactly() throws {
    var record = LaunchRecord.magic + [3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]
    record += Array("/bin/p".utf8) + [0] + Array("/bin/p".utf8) + [0] + [0]
    record += Array("a, \"b\"".utf8) + [0] + [7, 8]
    let parsed = try record.withUnsafeBytes { raw in try LaunchRecord(raw) }
    #expect(parsed.arguments.count == 3)
    #expect(parsed.arguments[1].isEmpty)
    #expect(Array(record[parsed.arguments[2]]) == Array("a, \"b\"".utf8))
    #expect(Array(record[parsed.input]) == [7, 8])
    #expect(throws: LaunchRecordError.truncated) {
      try Array(record.dropLast()).withUnsafeBytes { raw in _ = try LaunchRecord(raw) }
    }
  }

  /// Random mutations of a launch record: refused, or ranges that stay inside the record.
  @Test(arguments: [UInt64(7), 8])
  func mutatedLaunchRecordsStayInside(seed: UInt64) {
    var random = LoadPlanFuzzTests.Generator(state: seed)
    var original = LaunchRecord.magic + [2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]
    original += Array("/p".utf8) + [0] + Array("/p".utf8) + [0] + Array("x y".utf8) + [0]
    original += [1, 2, 3]
    for _ in 0..<5000 {
      var image = original
      for _ in 0..<(1 + Int(random.next() % 3)) {
        image[Int(random.next() % UInt64(image.count))] = UInt8(truncatingIfNeeded: random.next())
      }
      if random.next() % 4 == 0 { image.removeLast(Int(random.next() % UInt64(image.count))) }
      image.withUnsafeBytes { raw in
        do throws(LaunchRecordError) {
          let record = try LaunchRecord(raw)
          #expect(record.path.upperBound <= raw.count && !record.path.isEmpty)
          #expect(record.input.upperBound <= raw.count)
          for argument in record.arguments { #expect(argument.upperBound <= raw.count) }
        } catch {}
      }
    }
  }
}
