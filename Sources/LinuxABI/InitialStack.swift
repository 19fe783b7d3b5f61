#if canImport(KernelMemory)
  import KernelMemory
#endif

/// The initial user stack of a new process, as the x86-64 psABI (§3.4.1, figure 3.9) and
/// Linux lay it out, from the entry point's `%rsp` upwards:
///
/// ```
/// rsp → argc
///       argv[0] … argv[argc-1], NULL
///       envp[0] … envp[n-1], NULL
///       auxv pairs (type, value) …, AT_NULL, 0
///       padding
///       16 random bytes (AT_RANDOM), "x86_64\0" (AT_PLATFORM)
///       argument and environment strings
/// top → (end of the stack region)
/// ```
///
/// `rsp` is 16-byte aligned, as the ABI requires at process entry.
public struct InitialStack: Equatable, Sendable {
  /// The ABI's alignment of `%rsp` at entry.
  public static let alignment: UInt64 = 16
  /// `AT_CLKTCK`: Linux's `USER_HZ`.
  public static let clockTicksPerSecond: UInt64 = 100
  /// `AT_PLATFORM`'s string.
  public static let platformName = "x86_64"

  /// The initial `%rsp`: the address of `argc`.
  public let stackPointer: UInt64
  /// The bytes of `[stackPointer, top)`.
  public let bytes: [UInt8]

  /// Lays out the stack below `top` (which must be 16-byte aligned).
  public init(
    top: UInt64, arguments: [String], environment: [String], plan: LoadPlan,
    identity: ProcessIdentity
  ) {
    self.init(
      top: top, argumentBytes: arguments.map { Array($0.utf8) }, environment: environment,
      plan: plan, identity: identity)
  }

  /// The same with arguments as raw bytes: argv reaches the program byte for byte, whatever
  /// its encoding.
  public init(
    top: UInt64, argumentBytes arguments: [[UInt8]], environment: [String], plan: LoadPlan,
    identity: ProcessIdentity
  ) {
    self.init(
      top: top, argumentBytes: arguments, environmentBytes: environment.map { Array($0.utf8) },
      plan: plan, identity: identity)
  }

  /// The same with the environment as raw bytes too (what `execve` copied from the caller).
  public init(
    top: UInt64, argumentBytes arguments: [[UInt8]], environmentBytes environment: [[UInt8]],
    plan: LoadPlan, identity: ProcessIdentity
  ) {
    var strings = StringArea(top: top)
    let argumentPointers = arguments.map { strings.push($0) }
    let environmentPointers = environment.map { strings.push($0) }
    let platform = strings.push(Array(Self.platformName.utf8))
    let executable = argumentPointers.first ?? 0
    let random = strings.pushRandom(identity.random)
    let auxiliary = Self.auxiliaryVector(
      plan: plan, identity: identity, random: random, platform: platform,
      executable: executable)
    var words: [UInt64] = [UInt64(arguments.count)]
    words += argumentPointers + [0] + environmentPointers + [0]
    for (type, value) in auxiliary { words += [type, value] }
    let wordBytes = UInt64(words.count * MemoryLayout<UInt64>.size)
    let pointer = (strings.bottom - wordBytes) & ~(Self.alignment - 1)
    var image = [UInt8](repeating: 0, count: Int(top - pointer))
    for (index, word) in words.enumerated() {
      for byte in 0..<8 {
        image[index * 8 + byte] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(byte)))
      }
    }
    let stringsOffset = Int(strings.bottom - pointer)
    for (index, byte) in strings.bytes.enumerated() { image[stringsOffset + index] = byte }
    stackPointer = pointer
    bytes = image
  }

  /// The aux vector, ending with `AT_NULL`.
  static func auxiliaryVector(
    plan: LoadPlan, identity: ProcessIdentity, random: UInt64, platform: UInt64,
    executable: UInt64
  ) -> [(UInt64, UInt64)] {
    typealias AT = AuxiliaryType
    return [
      (AT.programHeaders, plan.programHeadersAddress),
      (AT.programHeaderSize, UInt64(ELF.programHeaderSize)),
      (AT.programHeaderCount, UInt64(plan.programHeaderCount)),
      (AT.pageSize, PageSize.size4KiB.bytes),
      (AT.interpreterBase, plan.interpreterBase),
      (AT.flags, 0),
      (AT.entry, plan.entry),
      (AT.userID, identity.userID),
      (AT.effectiveUserID, identity.userID),
      (AT.groupID, identity.userID),
      (AT.effectiveGroupID, identity.userID),
      (AT.platform, platform),
      (AT.hardwareCapabilities, identity.hardwareCapabilities),
      (AT.clockTicks, clockTicksPerSecond),
      (AT.secure, 0),
      (AT.random, random),
      (AT.executableName, executable),
      (AT.minimumSignalStackSize, SignalFramePlacement.minimumStackSize),
      (AT.null, 0),
    ]
  }
}

/// The strings at the top of the initial stack, growing downwards.
struct StringArea {
  /// The lowest address used so far.
  private(set) var bottom: UInt64
  /// The bytes of `[bottom, top)`.
  private(set) var bytes: [UInt8] = []

  init(top: UInt64) { bottom = top }

  /// Places `text` with its NUL terminator; returns its address.
  mutating func push(_ text: [UInt8]) -> UInt64 {
    let encoded = text + [0]
    bytes.insert(contentsOf: encoded, at: 0)
    bottom -= UInt64(encoded.count)
    return bottom
  }

  /// Places the 16 `AT_RANDOM` bytes, 16-byte aligned; returns their address.
  mutating func pushRandom(_ random: (UInt64, UInt64)) -> UInt64 {
    let aligned = (bottom - 16) & ~UInt64(15)
    var block = [UInt8](repeating: 0, count: Int(bottom - aligned))
    for byte in 0..<8 {
      block[byte] = UInt8(truncatingIfNeeded: random.0 >> (8 * UInt64(byte)))
      block[8 + byte] = UInt8(truncatingIfNeeded: random.1 >> (8 * UInt64(byte)))
    }
    bytes.insert(contentsOf: block, at: 0)
    bottom = aligned
    return bottom
  }
}
