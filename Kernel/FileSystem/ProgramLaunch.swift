/// One program the kernel was asked to run at boot, whichever way it came:
///
/// - a **launch record** (tools/run-elf): the program is a file of the root file system, argv
///   is exact bytes, standard input is the record's bytes;
/// - a **bare module** (`-initrd "prog a b,prog2"`, the older form tests still use): the
///   module is the program and its string, split on spaces, is argv; stdin is empty.
struct ProgramLaunch {
  /// Why there is no program image: the line to print and the shell status.
  struct Refusal {
    var reason: String
    var status: UInt64
  }
  /// A shell's status for a command it cannot find.
  static let notFoundStatus: UInt64 = 127
  /// A shell's status for a file it cannot execute.
  static let notExecutableStatus = ProcessRunner.notExecutableStatus

  /// The process's name in kernel lines (its path or argv[0]).
  var name: String
  /// What the `started:` line shows (argv joined by spaces; for people, not parsing).
  var commandLine: String
  var arguments: [[UInt8]]
  /// The ELF file's bytes (in a boot module, never copied), or why there are none.
  var image: UnsafeRawBufferPointer?
  var refusal: Refusal?
  /// Standard input.
  var input: UnsafeRawBufferPointer

  static let noInput = UnsafeRawBufferPointer(start: nil, count: 0)

  /// An argument for a kernel line: control bytes (a newline would end the line and be taken
  /// for program output) shown as `\xNN`.
  static func printable(_ word: [UInt8]) -> String {
    let space: UInt8 = 0x20
    let delete: UInt8 = 0x7f
    var shown: [UInt8] = []
    for byte in word {
      if byte >= space && byte != delete {
        shown.append(byte)
      } else {
        shown += Array("\\x".utf8) + Array(hexPadded(UInt64(byte), digits: 2).utf8.suffix(2))
      }
    }
    return String(decoding: shown, as: UTF8.self)
  }

  /// A bare module: `module.name` is its command line.
  init(module: MultibootInformation.Module) {
    let words = module.name.split(separator: " ").map { String($0) }
    name = words.first ?? "?"
    commandLine = module.name
    arguments = words.map { Array($0.utf8) }
    image = BootModules.bytes(of: module)
    input = Self.noInput
  }

  /// A launch record's program, looked up in `tree` from its root.
  init(record: LaunchRecord, in bytes: UnsafeRawBufferPointer, tree: FileTree) {
    let path = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[record.path]))
    name = String(decoding: path, as: UTF8.self)
    arguments = record.arguments.map { [UInt8](UnsafeRawBufferPointer(rebasing: bytes[$0])) }
    commandLine = arguments.map { Self.printable($0) }.joined(separator: " ")
    input = UnsafeRawBufferPointer(rebasing: bytes[record.input])
    do throws(LinuxErrno) {
      let node = try tree.resolve(path, from: FileTree.root)
      guard tree.nodes[node].isRegular else {
        refusal = Refusal(reason: name + ": not a regular file", status: Self.notExecutableStatus)
        return
      }
      image = tree.data(of: node)
    } catch {
      refusal = Refusal(
        reason: name + ": no such file in the root file system (errno "
          + String(error.rawValue) + ")", status: Self.notFoundStatus)
    }
  }
}

/// Sorts the boot modules: the first cpio archive is the root file system, launch records
/// and bare modules are programs, in module order.
enum BootModules {
  static func bytes(of module: MultibootInformation.Module) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(
      start: DirectMap.pointer(PhysicalAddress(module.range.start)!),
      count: Int(module.range.length))
  }

  /// The root file system (empty but for /dev without an archive) and the programs to run.
  static func programs(_ modules: [MultibootInformation.Module]) -> (FileTree, [ProgramLaunch]) {
    var tree: FileTree? = nil
    for module in modules where tree == nil && CPIOArchive.hasMagic(bytes(of: module)) {
      do throws(CPIOError) { tree = try FileTree(archive: bytes(of: module)) } catch {
        ProcessConsole.line("root file system " + module.name + " refused: " + error.description)
        tree = FileTree()
      }
    }
    let root = tree ?? FileTree()
    root.addStandardDevices()
    var launches: [ProgramLaunch] = []
    var archiveSeen = false
    for module in modules {
      let data = bytes(of: module)
      if CPIOArchive.hasMagic(data) {
        if archiveSeen {
          ProcessConsole.line("second root file system " + module.name + " ignored")
        }
        archiveSeen = true
      } else if LaunchRecord.hasMagic(data) {
        do throws(LaunchRecordError) {
          launches.append(ProgramLaunch(record: try LaunchRecord(data), in: data, tree: root))
        } catch {
          ProcessConsole.line(module.name + ": " + error.description)
        }
      } else {
        launches.append(ProgramLaunch(module: module))
      }
    }
    return (root, launches)
  }
}
