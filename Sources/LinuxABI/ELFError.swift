/// Why an ELF file cannot be run. Each case has a one-line description naming the field.
public enum ELFError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file is shorter than what a header says is in it.
  case truncated(String)
  /// Not an ELF file at all.
  case badMagic
  /// A header field has a value this loader does not accept.
  case unsupported(String)
  /// A field's value is inconsistent or would overflow / leave user space.
  case malformed(String)

  public var description: String {
    switch self {
    case .truncated(let what): return "truncated ELF file: " + what
    case .badMagic: return "not an ELF file (bad magic)"
    case .unsupported(let what): return "unsupported ELF file: " + what
    case .malformed(let what): return "malformed ELF file: " + what
    }
  }
}

extension LinuxErrno {
  /// `ELIBBAD`: the interpreter `PT_INTERP` names is no ELF file this machine can load.
  public static let ELIBBAD = LinuxErrno(rawValue: 80)
}

extension LinuxErrno {
  /// `EIO`: Linux's `elf_read` could not read a whole ELF header of the interpreter (the file
  /// is shorter than one).
  public static let EIO = LinuxErrno(rawValue: 5)
}
