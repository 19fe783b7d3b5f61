/// One line of `/proc/PID/maps` (fs/proc/task_mmu.c, `show_map_vma`): a region's addresses,
/// permissions, where its first page lies in the file, the file's device and inode, and a
/// name — the file's path, `[heap]`, `[stack]`, or none for anonymous memory.
public struct MapsEntry: Equatable, Sendable {
  public var start: UInt64
  public var end: UInt64
  public var readable: Bool
  public var writable: Bool
  public var executable: Bool
  /// `VM_MAYSHARE`: `s`, else `p` (private).
  public var shared: Bool
  /// The byte offset in the file (`vm_pgoff << PAGE_SHIFT`); 0 for anonymous memory.
  public var offset: UInt64
  public var deviceMajor: UInt32
  public var deviceMinor: UInt32
  public var inode: UInt64
  /// The path column; empty for anonymous memory.
  public var name: [UInt8]

  public init(
    start: UInt64, end: UInt64, readable: Bool, writable: Bool, executable: Bool, shared: Bool,
    offset: UInt64 = 0, deviceMajor: UInt32 = 0, deviceMinor: UInt32 = 0, inode: UInt64 = 0,
    name: [UInt8] = []
  ) {
    self.start = start
    self.end = end
    self.readable = readable
    self.writable = writable
    self.executable = executable
    self.shared = shared
    self.offset = offset
    self.deviceMajor = deviceMajor
    self.deviceMinor = deviceMinor
    self.inode = inode
    self.name = name
  }
}

/// `/proc/PID/maps`: one line per region in address order.
///
/// Linux's layout (`show_vma_header_prefix`): start and end in at least 8 hex digits, the
/// four permission characters, the offset in at least 8 hex digits, major:minor in 2 hex
/// digits each, the inode in decimal and a space; then, when the line has a name, spaces up to
/// column `nameColumn - 1` (`seq_setwidth(m, 25 + sizeof(void *) * 6 - 1)`, `seq_pad(m, ' ')`)
/// and one more space before the name. An anonymous line ends with the inode's space.
public enum ProcMaps {
  /// `25 + sizeof(void *) * 6 - 1`: the width `seq_pad` fills before the separating space.
  public static let padWidth = 25 + 8 * 6 - 1
  public static let heapName: [UInt8] = Array("[heap]".utf8)
  public static let stackName: [UInt8] = Array("[stack]".utf8)

  public static func text(_ entries: [MapsEntry]) -> [UInt8] {
    var text = ProcText()
    for entry in entries { line(entry, into: &text) }
    return text.bytes
  }

  static func line(_ entry: MapsEntry, into text: inout ProcText) {
    text.hex(entry.start, digits: 8)
    text.append("-")
    text.hex(entry.end, digits: 8)
    text.append(" ")
    text.append(entry.readable ? "r" : "-")
    text.append(entry.writable ? "w" : "-")
    text.append(entry.executable ? "x" : "-")
    text.append(entry.shared ? "s" : "p")
    text.append(" ")
    text.hex(entry.offset, digits: 8)
    text.append(" ")
    text.hex(UInt64(entry.deviceMajor), digits: 2)
    text.append(":")
    text.hex(UInt64(entry.deviceMinor), digits: 2)
    text.append(" ")
    text.decimal(entry.inode)
    text.append(" ")
    if !entry.name.isEmpty {
      text.pad(toColumn: padWidth)
      text.append(" ")
      text.append(bytes: entry.name)
    }
    text.newline()
  }
}
