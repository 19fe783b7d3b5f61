/// The ELF64 constants the loader checks, by their names in the System V ABI (gABI "ELF
/// Header", "Program Header") and its x86-64 supplement.
public enum ELF {
  /// `e_ident[EI_MAG0..3]`: 0x7f 'E' 'L' 'F'.
  public static let magic: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]
  /// `EI_CLASS` index and `ELFCLASS64`.
  public static let classIndex = 4
  public static let class64: UInt8 = 2
  /// `EI_DATA` index and `ELFDATA2LSB` (little-endian).
  public static let dataIndex = 5
  public static let dataLittleEndian: UInt8 = 1
  /// `EI_VERSION` index and `EV_CURRENT`.
  public static let versionIndex = 6
  public static let currentVersion: UInt8 = 1
  /// `ET_EXEC`: an executable at fixed addresses.
  public static let typeExecutable: UInt16 = 2
  /// `ET_DYN`: position-independent (a static PIE when it has no `PT_INTERP`).
  public static let typeShared: UInt16 = 3
  /// `EM_X86_64`.
  public static let machineX86_64: UInt16 = 62
  /// `sizeof(Elf64_Ehdr)` and `sizeof(Elf64_Phdr)`.
  public static let headerSize = 64
  public static let programHeaderSize = 56
  /// The most program headers the loader accepts (Linux refuses more than 64 KiB of them).
  public static let maximumProgramHeaders = 128

  /// `p_type` values.
  public static let segmentLoad: UInt32 = 1
  public static let segmentDynamic: UInt32 = 2
  public static let segmentInterpreter: UInt32 = 3
  public static let segmentProgramHeaders: UInt32 = 6
  public static let segmentThreadLocal: UInt32 = 7
  public static let segmentGNUStack: UInt32 = 0x6474_e551

  /// `p_flags` bits.
  public static let flagExecute: UInt32 = 0x1
  public static let flagWrite: UInt32 = 0x2
  public static let flagRead: UInt32 = 0x4

  /// Byte offsets of the `Elf64_Ehdr` fields used.
  enum HeaderOffset {
    static let type = 16
    static let machine = 18
    static let version = 20
    static let entry = 24
    static let programHeaderOffset = 32
    static let programHeaderEntrySize = 54
    static let programHeaderCount = 56
  }

  /// Byte offsets of the `Elf64_Phdr` fields.
  enum ProgramHeaderOffset {
    static let type = 0
    static let flags = 4
    static let offset = 8
    static let virtualAddress = 16
    static let fileSize = 32
    static let memorySize = 40
    static let alignment = 48
  }
}
