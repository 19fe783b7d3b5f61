#if canImport(KernelMemory)
  import KernelMemory
#endif

/// The flag and protection bits of the memory calls (asm-generic/mman-common.h, mman.h).
public enum MemoryFlags {
  public static let protRead: UInt64 = 0x1
  public static let protWrite: UInt64 = 0x2
  public static let protExec: UInt64 = 0x4
  public static let protSem: UInt64 = 0x8
  public static let protGrowsDown: UInt64 = 0x0100_0000
  public static let protGrowsUp: UInt64 = 0x0200_0000

  public static let mapShared: UInt64 = 0x01
  public static let mapPrivate: UInt64 = 0x02
  public static let mapSharedValidate: UInt64 = 0x03
  public static let mapType: UInt64 = 0x0f
  public static let mapFixed: UInt64 = 0x10
  public static let mapAnonymous: UInt64 = 0x20
  public static let mapGrowsDown: UInt64 = 0x100
  public static let mapDenyWrite: UInt64 = 0x800
  public static let mapExecutable: UInt64 = 0x1000
  public static let mapLocked: UInt64 = 0x2000
  public static let mapNoReserve: UInt64 = 0x4000
  public static let mapPopulate: UInt64 = 0x8000
  public static let mapNonBlock: UInt64 = 0x10000
  public static let mapStack: UInt64 = 0x20000
  public static let mapHugeTLB: UInt64 = 0x40000
  public static let mapSync: UInt64 = 0x80000
  public static let mapFixedNoReplace: UInt64 = 0x10_0000

  /// `mremap` flags.
  public static let remapMayMove: UInt64 = 1
  public static let remapFixed: UInt64 = 2
  public static let remapDontUnmap: UInt64 = 4

  /// `madvise` advice values (MADV_*).
  public static let adviseDontNeed: UInt64 = 4
  public static let adviseFree: UInt64 = 8
  public static let adviseRemove: UInt64 = 9
  public static let adviseWipeOnFork: UInt64 = 18
  public static let advisePopulateRead: UInt64 = 22
  public static let advisePopulateWrite: UInt64 = 23
  /// `MADV_DONTNEED_LOCKED` (Linux 5.18): `MADV_DONTNEED` that also applies to locked pages.
  public static let adviseDontNeedLocked: UInt64 = 24
  /// The highest advice value Linux 6.1 knows (MADV_COLLAPSE).
  public static let adviseHighest: UInt64 = 25
  /// Values between 0 and `adviseHighest` that are not advice (holes in the numbering).
  public static let adviseUnassigned: [UInt64] = [5, 6, 7]
}

/// A decoded `mmap`: what to ask `AddressSpace.reserve` for.
public struct MapRequest: Equatable, Sendable {
  public var length: UInt64
  public var protection: Protection
  public var placement: Placement
  /// `.sharedAnonymous` for `MAP_SHARED`, else `.anonymous`.
  public var kind: RegionKind = .anonymous
  /// For a mapping of a file (no `MAP_ANONYMOUS`): which, and from where.
  public var file: MappedFile? = nil
}

/// The file part of a decoded `mmap`: the descriptor (known to be open), the first page of
/// the file mapped, and whether the mapping is `MAP_SHARED`. What the descriptor's file
/// allows (`EACCES`, `ENODEV`) only the kernel can tell.
public struct MappedFile: Equatable, Sendable {
  public var descriptor: UInt64
  /// The file offset in pages.
  public var page: UInt64
  /// `MAP_SHARED` or `MAP_SHARED_VALIDATE` (else `MAP_PRIVATE`).
  public var shared: Bool
  /// `MAP_GROWSDOWN`, which no file mapping may have (`EINVAL`, after the file's checks).
  public var growsDown: Bool

  public init(descriptor: UInt64, page: UInt64, shared: Bool, growsDown: Bool) {
    self.descriptor = descriptor
    self.page = page
    self.shared = shared
    self.growsDown = growsDown
  }
}

extension LinuxErrno {
  /// `EOVERFLOW`: the mapping's last page would be past the largest file offset.
  public static let EOVERFLOW = LinuxErrno(rawValue: 75)
}

/// A decoded `mremap`: page-rounded lengths, and where the mapping may go.
public struct RemapRequest: Equatable, Sendable {
  public var address: UInt64
  public var oldLength: UInt64
  public var newLength: UInt64
  /// Whether the mapping may move (`MREMAP_MAYMOVE`).
  public var mayMove: Bool
  /// The exact new address (`MREMAP_FIXED`).
  public var fixedAddress: UInt64?

  /// Where the core's `AddressSpace.remap` may put the mapping.
  public var placement: RemapPlacement {
    if let fixedAddress { return .fixed(fixedAddress) }
    return mayMove ? .mayMove : .inPlace
  }
}

/// A decoded `mprotect`.
public struct ProtectRequest: Equatable, Sendable {
  public var range: VirtualRange
  public var protection: Protection
  /// `PROT_GROWSDOWN` / `PROT_GROWSUP`.
  public var growth: ProtectionGrowth?
}

/// A decoded `madvise`.
public enum AdviceRequest: Equatable, Sendable {
  /// Length 0: nothing to do, success.
  case nothing
  /// Advice for the core's `AddressSpace.advise` (which says what each region makes of it).
  case advise(VirtualRange, Advice)
}

/// Decoding of the memory system calls' arguments, with Linux's order of checks and errno
/// values, into the core's requests. The address-space operation itself reports the rest
/// (`EEXIST`, `ENOMEM`, `EPERM`) through `AddressSpaceError.errno`.
public enum MemoryCalls {
  static let pageMask = PageSize.size4KiB.offsetMask

  /// `mmap(address, length, prot, flags, fd, offset)`, in Linux's order (x86's `sys_mmap`,
  /// `ksys_mmap_pgoff`, `do_mmap`): a misaligned offset, then a file mapping's descriptor
  /// (`descriptorIsOpen`: EBADF), then the length and placement, then the mapping type.
  public static func decodeMap(
    address: UInt64, length: UInt64, protection: UInt64, flags: UInt64, fileDescriptor: UInt64,
    offset: UInt64, descriptorIsOpen: Bool = false
  ) throws(LinuxErrno) -> MapRequest {
    guard offset & pageMask == 0 else { throw .EINVAL }
    let type = flags & MemoryFlags.mapType
    guard flags & MemoryFlags.mapAnonymous != 0 else {
      guard descriptorIsOpen else { throw .EBADF }
      return try decodeFileMap(
        address: address, length: length, protection: protection, flags: flags,
        fileDescriptor: fileDescriptor, offset: offset)
    }
    guard length != 0 else { throw .EINVAL }
    // Anonymous memory knows only MAP_SHARED and MAP_PRIVATE (MAP_SHARED_VALIDATE is checked
    // only for file mappings): anything else is EINVAL, as Linux's do_mmap answers.
    guard type == MemoryFlags.mapShared || type == MemoryFlags.mapPrivate else { throw .EINVAL }
    let (rounded, overflow) = length.addingReportingOverflow(pageMask)
    guard !overflow, rounded & ~pageMask <= UserLayout.end else { throw .ENOMEM }
    let size = rounded & ~pageMask
    guard flags & MemoryFlags.mapHugeTLB == 0 else { throw .ENOMEM }
    return MapRequest(
      length: size, protection: decodeProtection(protection),
      placement: try placement(address: address, size: size, flags: flags),
      kind: type == MemoryFlags.mapShared ? .sharedAnonymous : .anonymous)
  }

  /// `MAP_UNINITIALIZED`, one of the flags `MAP_SHARED` keeps (`LEGACY_MAP_MASK`).
  static let mapUninitialized: UInt64 = 0x400_0000
  /// Linux 6.1's `LEGACY_MAP_MASK`: the flags `MAP_SHARED` has always ignored the rest of,
  /// and the only ones `MAP_SHARED_VALIDATE` accepts from a file system that supports no
  /// more (tmpfs: `mmap_supported_flags` 0).
  static let legacyMapMask: UInt64 =
    MemoryFlags.mapShared | MemoryFlags.mapPrivate | MemoryFlags.mapFixed
    | MemoryFlags.mapAnonymous | MemoryFlags.mapDenyWrite | MemoryFlags.mapExecutable
    | mapUninitialized | MemoryFlags.mapGrowsDown | MemoryFlags.mapLocked
    | MemoryFlags.mapNoReserve | MemoryFlags.mapPopulate | MemoryFlags.mapNonBlock
    | MemoryFlags.mapStack | MemoryFlags.mapHugeTLB

  /// `decodeMap` for a file (an open descriptor): `MAP_HUGETLB` on a file that is not
  /// hugetlbfs is EINVAL; a zero length EINVAL, an unrepresentable one ENOMEM; a last page
  /// past the largest page offset EOVERFLOW; then the placement, and the type: `MAP_SHARED`,
  /// `MAP_SHARED_VALIDATE` (EOPNOTSUPP for a flag outside `legacyMapMask`), `MAP_PRIVATE`,
  /// anything else EINVAL.
  static func decodeFileMap(
    address: UInt64, length: UInt64, protection: UInt64, flags: UInt64, fileDescriptor: UInt64,
    offset: UInt64
  ) throws(LinuxErrno) -> MapRequest {
    guard flags & MemoryFlags.mapHugeTLB == 0 else { throw .EINVAL }
    guard length != 0 else { throw .EINVAL }
    let (rounded, overflow) = length.addingReportingOverflow(pageMask)
    guard !overflow, rounded & ~pageMask <= UserLayout.end else { throw .ENOMEM }
    let size = rounded & ~pageMask
    let page = offset >> PageSize.size4KiB.shift
    guard !page.addingReportingOverflow(size >> PageSize.size4KiB.shift).overflow,
      page + (size >> PageSize.size4KiB.shift) <= maximumFilePages
    else { throw .EOVERFLOW }
    let placement = try placement(address: address, size: size, flags: flags)
    let type = flags & MemoryFlags.mapType
    switch type {
    case MemoryFlags.mapShared, MemoryFlags.mapPrivate: break
    case MemoryFlags.mapSharedValidate:
      guard flags & ~legacyMapMask == 0 else { throw .EOPNOTSUPP }
    default: throw .EINVAL
    }
    let file = MappedFile(
      descriptor: fileDescriptor, page: page, shared: type != MemoryFlags.mapPrivate,
      growsDown: flags & MemoryFlags.mapGrowsDown != 0)
    return MapRequest(
      length: size, protection: decodeProtection(protection), placement: placement,
      kind: .anonymous, file: file)
  }

  /// `MAX_LFS_FILESIZE` (`LLONG_MAX`) in pages: a regular file's largest offset, which
  /// `file_mmap_ok` keeps a mapping below.
  static let maximumFilePages: UInt64 = UInt64(Int64.max) >> PageSize.size4KiB.shift

  /// The placement `mmap`'s address and flags ask for.
  static func placement(address: UInt64, size: UInt64, flags: UInt64) throws(LinuxErrno)
    -> Placement
  {
    let noReplace = flags & MemoryFlags.mapFixedNoReplace != 0
    guard noReplace || flags & MemoryFlags.mapFixed != 0 else {
      // x86's arch_get_unmapped_area_topdown rounds a hint down to its page.
      let hint = address & ~pageMask
      return hint == 0 ? .anywhere : .hint(hint)
    }
    guard address & pageMask == 0 else { throw .EINVAL }
    let (end, overflow) = address.addingReportingOverflow(size)
    guard !overflow, end <= UserLayout.end else { throw .ENOMEM }
    return noReplace ? .fixedNoReplace(address) : .fixed(address)
  }

  /// The core's protection for `PROT_*` bits (unknown bits ignored, as `mmap` does).
  public static func decodeProtection(_ bits: UInt64) -> Protection {
    var protection: Protection = []
    if bits & MemoryFlags.protRead != 0 { protection.insert(.read) }
    if bits & MemoryFlags.protWrite != 0 { protection.insert(.write) }
    if bits & MemoryFlags.protExec != 0 { protection.insert(.execute) }
    return protection
  }

  /// `munmap(address, length)`: the page-rounded range to release.
  public static func decodeUnmap(address: UInt64, length: UInt64) throws(LinuxErrno)
    -> VirtualRange
  {
    guard address & pageMask == 0, length != 0 else { throw .EINVAL }
    let (rounded, overflow) = length.addingReportingOverflow(pageMask)
    guard !overflow else { throw .EINVAL }
    let (end, endOverflow) = address.addingReportingOverflow(rounded & ~pageMask)
    guard !endOverflow, end <= UserLayout.end else { throw .EINVAL }
    return VirtualRange(uncheckedStart: address, end: end)
  }

  /// `mprotect(address, length, prot)`: nil for a zero length (success, nothing changes).
  /// Linux's order: both `PROT_GROWS*` bits or a misaligned address is `EINVAL`, then a zero
  /// length succeeds, a wrapping range is `ENOMEM`, and only then are unknown bits `EINVAL`.
  public static func decodeProtect(address: UInt64, length: UInt64, protection: UInt64)
    throws(LinuxErrno) -> ProtectRequest?
  {
    let grows = protection & (MemoryFlags.protGrowsDown | MemoryFlags.protGrowsUp)
    guard grows != MemoryFlags.protGrowsDown | MemoryFlags.protGrowsUp else { throw .EINVAL }
    guard address & pageMask == 0 else { throw .EINVAL }
    guard length != 0 else { return nil }
    let (rounded, overflow) = length.addingReportingOverflow(pageMask)
    guard !overflow else { throw .ENOMEM }
    let (end, endOverflow) = address.addingReportingOverflow(rounded & ~pageMask)
    guard !endOverflow, end > address else { throw .ENOMEM }
    let known =
      MemoryFlags.protRead | MemoryFlags.protWrite | MemoryFlags.protExec | MemoryFlags.protSem
    guard protection & ~grows & ~known == 0 else { throw .EINVAL }
    guard end <= UserLayout.end, address >= UserLayout.minimumAddress else { throw .ENOMEM }
    let growth: ProtectionGrowth? =
      grows == MemoryFlags.protGrowsDown ? .down : grows == MemoryFlags.protGrowsUp ? .up : nil
    return ProtectRequest(
      range: VirtualRange(uncheckedStart: address, end: end),
      protection: decodeProtection(protection), growth: growth)
  }

  /// `mremap(address, old_length, new_length, flags, new_address)`, with Linux's EINVAL
  /// checks (`MREMAP_DONTUNMAP` is not supported: EINVAL). Whether the old range is one mapping
  /// (EFAULT otherwise) is the address space's to say.
  public static func decodeRemap(
    address: UInt64, oldLength: UInt64, newLength: UInt64, flags: UInt64, newAddress: UInt64
  ) throws(LinuxErrno) -> RemapRequest {
    let known = MemoryFlags.remapMayMove | MemoryFlags.remapFixed
    guard flags & ~known == 0 else { throw .EINVAL }
    let mayMove = flags & MemoryFlags.remapMayMove != 0
    let fixed = flags & MemoryFlags.remapFixed != 0
    guard !fixed || mayMove else { throw .EINVAL }
    guard address & pageMask == 0 else { throw .EINVAL }
    let (oldRounded, oldOverflow) = oldLength.addingReportingOverflow(pageMask)
    let (newRounded, newOverflow) = newLength.addingReportingOverflow(pageMask)
    guard !oldOverflow, !newOverflow, newLength != 0, oldLength != 0 else { throw .EINVAL }
    let old = oldRounded & ~pageMask
    let new = newRounded & ~pageMask
    let (oldEnd, oldEndOverflow) = address.addingReportingOverflow(old)
    guard !oldEndOverflow, oldEnd <= UserLayout.end else { throw .EFAULT }
    var target: UInt64? = nil
    if fixed {
      guard newAddress & pageMask == 0 else { throw .EINVAL }
      let (newEnd, newEndOverflow) = newAddress.addingReportingOverflow(new)
      guard !newEndOverflow, newEnd <= UserLayout.end else { throw .EINVAL }
      guard newEnd <= address || newAddress >= oldEnd else { throw .EINVAL }
      target = newAddress
    }
    return RemapRequest(
      address: address, oldLength: old, newLength: new, mayMove: mayMove, fixedAddress: target)
  }

  /// `madvise(address, length, advice)`.
  public static func decodeAdvice(address: UInt64, length: UInt64, advice: UInt64)
    throws(LinuxErrno) -> AdviceRequest
  {
    guard address & pageMask == 0 else { throw .EINVAL }
    guard advice <= MemoryFlags.adviseHighest, !MemoryFlags.adviseUnassigned.contains(advice)
    else { throw .EINVAL }
    let (rounded, overflow) = length.addingReportingOverflow(pageMask)
    guard !overflow else { throw .EINVAL }
    let (end, endOverflow) = address.addingReportingOverflow(rounded & ~pageMask)
    guard !endOverflow else { throw .EINVAL }
    guard end != address else { return .nothing }
    guard end <= UserLayout.end, address >= UserLayout.minimumAddress else { throw .ENOMEM }
    return .advise(VirtualRange(uncheckedStart: address, end: end), coreAdvice(advice))
  }

  /// The core's meaning of a valid `MADV_*` value.
  static func coreAdvice(_ advice: UInt64) -> Advice {
    switch advice {
    case MemoryFlags.adviseDontNeed, MemoryFlags.adviseDontNeedLocked: return .dontNeed
    case MemoryFlags.adviseFree: return .free
    case MemoryFlags.adviseRemove: return .remove
    case MemoryFlags.advisePopulateRead: return .populate(.read)
    case MemoryFlags.advisePopulateWrite: return .populate(.write)
    case MemoryFlags.adviseWipeOnFork: return .privateOnly
    default: return .none
    }
  }
}

/// Checks on user pointers before any copy: the whole buffer inside the process's part.
public enum UserPointer {
  /// Whether `[address, address + length)` lies inside user space without overflow. A zero
  /// length is always acceptable (nothing will be touched).
  public static func isValid(_ address: UInt64, length: UInt64) -> Bool {
    guard length != 0 else { return true }
    let (end, overflow) = address.addingReportingOverflow(length)
    return !overflow && end <= UserLayout.end
  }
}
