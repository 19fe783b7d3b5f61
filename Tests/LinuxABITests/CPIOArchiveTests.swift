import LinuxABI
import Testing

@Suite struct CPIOArchiveTests {
  func sample() -> CPIOTestArchive {
    var archive = CPIOTestArchive()
    archive.directory("bin")
    archive.file("bin/hello", "#!\n", mode: 0o755)
    archive.symlink("bin/link", "hello")
    archive.trailer()
    return archive
  }

  @Test func readsEntriesInOrderUpToTheTrailer() throws {
    let archive = sample()
    let entries = try archive.bytes.withUnsafeBytes { raw in try CPIOArchive(raw).entries() }
    #expect(entries.count == 3)
    #expect(entries[1].mode == FileMode.regular | 0o755)
    #expect(entries[1].data.count == 3)
    #expect(entries[2].mode & FileMode.typeMask == FileMode.symbolicLink)
    #expect(Array(archive.bytes[entries[2].data]) == Array("hello".utf8))
    #expect(Array(archive.bytes[entries[0].name]) == Array("bin".utf8))
  }

  @Test func missingTrailerIsRefused() {
    var archive = CPIOTestArchive()
    archive.file("a", "x")
    #expect(throws: CPIOError.missingTrailer) {
      try archive.bytes.withUnsafeBytes { raw in _ = try CPIOArchive(raw).entries() }
    }
  }

  @Test func badMagicAndFieldsAreRefused() {
    var archive = sample()
    archive.bytes[0] = UInt8(ascii: "1")
    #expect(throws: CPIOError.badMagic(at: 0)) {
      try archive.bytes.withUnsafeBytes { raw in _ = try CPIOArchive(raw).entries() }
    }
    archive = sample()
    archive.bytes[20] = UInt8(ascii: "g")
    #expect(throws: CPIOError.badField(at: 0)) {
      try archive.bytes.withUnsafeBytes { raw in _ = try CPIOArchive(raw).entries() }
    }
  }

  @Test func lengthsPastTheEndAreRefused() {
    var archive = CPIOTestArchive()
    archive.add("big", mode: FileMode.regular | 0o644, data: [1, 2, 3])
    archive.trailer()
    // c_filesize (field 6, at 6 + 6 * 8) claims 0xffffffff bytes.
    for index in 0..<8 { archive.bytes[54 + index] = UInt8(ascii: "f") }
    #expect(throws: CPIOError.truncated(at: 0)) {
      try archive.bytes.withUnsafeBytes { raw in _ = try CPIOArchive(raw).entries() }
    }
    var named = CPIOTestArchive()
    named.file("a", "x")
    // c_namesize 0: no room even for the NUL.
    for index in 0..<8 { named.bytes[94 + index] = UInt8(ascii: "0") }
    #expect(throws: CPIOError.truncated(at: 0)) {
      try named.bytes.withUnsafeBytes { raw in _ = try CPIOArchive(raw).entries() }
    }
  }

  @Test func unterminatedNameIsRefused() {
    var archive = sample()
    archive.bytes[110 + 3] = UInt8(ascii: "x")  // "bin\0" loses its NUL
    #expect(throws: CPIOError.badName(at: 0)) {
      try archive.bytes.withUnsafeBytes { raw in _ = try CPIOArchive(raw).entries() }
    }
  }

  @Test func truncationAnywhereIsAnErrorNeverACrash() {
    let full = sample().bytes
    for length in 0..<full.count {
      let prefix = Array(full[0..<length])
      let result = prefix.withUnsafeBytes { raw -> Bool in
        do throws(CPIOError) {
          _ = try FileTree(archive: raw)
          return true
        } catch { return false }
      }
      #expect(!result, "prefix of \(length) bytes accepted")
    }
  }

  /// SplitMix64 mutations of a valid archive: refused or a consistent tree, never a crash.
  @Test(arguments: [UInt64(1), 2, 3])
  func mutatedArchivesGiveErrorsOrConsistentTrees(seed: UInt64) {
    var random = LoadPlanFuzzTests.Generator(state: seed)
    let original = sample().bytes
    let alphabet = Array("0123456789abcdefxyz/.\0".utf8)
    var accepted = 0
    for _ in 0..<3000 {
      var image = original
      for _ in 0..<(1 + Int(random.next() % 4)) {
        let index = Int(random.next() % UInt64(image.count))
        image[index] =
          random.next() % 2 == 0
          ? alphabet[Int(random.next() % UInt64(alphabet.count))]
          : UInt8(truncatingIfNeeded: random.next())
      }
      image.withUnsafeBytes { raw in
        do throws(CPIOError) {
          let tree = try FileTree(archive: raw)
          accepted += 1
          for (index, node) in tree.nodes.enumerated() {
            #expect(node.archiveData.upperBound <= raw.count)
            #expect(node.parent < tree.nodes.count)
            #expect(index == FileTree.root || !node.isDirectory || !node.name.isEmpty)
            for entry in node.entries where tree.nodes[entry.node].isDirectory {
              #expect(tree.nodes[entry.node].parent == index)
            }
          }
          _ = try? tree.lookup(Array("/bin/link".utf8), from: FileTree.root, followFinal: true)
        } catch {}
      }
    }
    #expect(accepted > 0)
  }
}
