/// One line of `/proc/mounts` (fs/proc_namespace.c `show_vfsmnt`): device, mount point, type,
/// options, and the two zeros of the dump and pass fields.
public struct MountEntry: Equatable, Sendable {
  public var device: String
  public var mountPoint: String
  public var type: String
  public var options: String

  public init(device: String, mountPoint: String, type: String, options: String) {
    self.device = device
    self.mountPoint = mountPoint
    self.type = type
    self.options = options
  }
}

/// A file-system type of `/proc/filesystems` (fs/filesystems.c): `nodev` when it needs no
/// block device, then a tab and the name.
public struct FileSystemType: Equatable, Sendable {
  public var name: String
  public var needsDevice: Bool

  public init(name: String, needsDevice: Bool = false) {
    self.name = name
    self.needsDevice = needsDevice
  }
}

/// `/proc/mounts` (and `/proc/PID/mounts`) and `/proc/filesystems`.
public enum ProcMounts {
  public static func mounts(_ entries: [MountEntry]) -> [UInt8] {
    var text = ProcText()
    for entry in entries {
      text.append(entry.device + " " + entry.mountPoint + " " + entry.type + " " + entry.options)
      text.append(" 0 0")
      text.newline()
    }
    return text.bytes
  }

  public static func filesystems(_ types: [FileSystemType]) -> [UInt8] {
    var text = ProcText()
    for type in types {
      text.append((type.needsDevice ? "" : "nodev") + "\t" + type.name)
      text.newline()
    }
    return text.bytes
  }
}
