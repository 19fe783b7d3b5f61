import LinuxABI

/// Builds newc archives for the tests, as tools/run-elf does on the host.
struct CPIOTestArchive {
  var bytes: [UInt8] = []

  mutating func add(
    _ name: String, mode: UInt32, data: [UInt8] = [], major: UInt32 = 0, minor: UInt32 = 0
  ) {
    let nameBytes = Array(name.utf8) + [0]
    let fields: [UInt32] = [
      UInt32(bytes.count), mode, 0, 0, 1, 1_700_000_000, UInt32(data.count), 0, 0, major, minor,
      UInt32(nameBytes.count), 0,
    ]
    bytes += Array("070701".utf8)
    for field in fields {
      let hex = String(field, radix: 16)
      bytes += Array((String(repeating: "0", count: 8 - hex.count) + hex).utf8)
    }
    bytes += nameBytes
    pad()
    bytes += data
    pad()
  }

  mutating func file(_ name: String, _ text: String, mode: UInt32 = 0o644) {
    add(name, mode: FileMode.regular | mode, data: Array(text.utf8))
  }
  mutating func directory(_ name: String, mode: UInt32 = 0o755) {
    add(name, mode: FileMode.directory | mode)
  }
  mutating func symlink(_ name: String, _ target: String) {
    add(name, mode: FileMode.symbolicLink | 0o777, data: Array(target.utf8))
  }
  mutating func trailer() { add("TRAILER!!!", mode: 0) }

  mutating func pad() { while bytes.count % 4 != 0 { bytes.append(0) } }

  /// Runs `body` with the archive's bytes (the tree must not outlive them).
  func withTree<R>(_ body: (FileTree) throws -> R) throws -> R {
    try bytes.withUnsafeBytes { raw in
      let tree = try FileTree(archive: raw)
      return try body(tree)
    }
  }
}
