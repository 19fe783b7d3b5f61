import KernelMemory

/// A software model of the x86_64 MMU with 4-level paging: translates virtual addresses by
/// walking the page tables in an `EmulatedRAM`, checks permissions as the CPU does, and caches
/// translations in a TLB that changes only when software invalidates.
///
/// The point of the model is strictness. A cached translation is used even after the tables
/// change, so code that edits a present entry and forgets `invlpg` reads through the old
/// mapping and fails its test; `staleEntries()` names such pages directly. Faulting
/// translations are never cached (SDM Vol. 3A §4.10.2), and a fault drops any cached entry for the
/// faulting page (SDM §4.10.4.1), exactly as on hardware.
public final class SoftwareMMU: TranslationCache {
  /// The physical memory the tables and pages live in.
  public let ram: EmulatedRAM

  /// CR3: the frame of the PML4. Assigning it — even the same value — flushes every non-global
  /// TLB entry, as `mov cr3` does without PCIDs.
  public var rootTable: PhysicalFrame {
    didSet { flushNonGlobal() }
  }

  /// The control-register bits in force. Changing them flushes the whole TLB, global entries
  /// included, so cached rights never mix two configurations.
  public var features: PagingFeatures {
    didSet {
      walker = PageWalker(ram: ram, features: features)
      tlb.flushAll()
    }
  }

  /// Whether every TLB hit is checked against a fresh walk and, if stale, recorded in
  /// `staleHits`. Off by default: it costs a walk per access. `staleEntries()` is a snapshot of
  /// what *could* go wrong; this records what *did*, during a long run of operations.
  public var recordsStaleHits = false

  /// The addresses of accesses served from a stale TLB entry while `recordsStaleHits` was on.
  public private(set) var staleHits: [VirtualAddress] = []

  /// Counters of TLB use since creation (or `resetStatistics()`).
  public private(set) var statistics = TLBStatistics()

  private var tlb = TranslationLookasideBuffer()

  private var walker: PageWalker

  /// Creates an MMU over `ram` with CR3 = `rootTable`, an empty TLB and `features` in force.
  public init(
    ram: EmulatedRAM, rootTable: PhysicalFrame, features: PagingFeatures = PagingFeatures()
  ) {
    precondition(ram.contains(rootTable), "CR3 must point into the emulated RAM")
    self.ram = ram
    self.rootTable = rootTable
    self.features = features
    self.walker = PageWalker(ram: ram, features: features)
  }

  // MARK: Translation

  /// Translates a raw 64-bit address for `access`: a non-canonical value is a #GP, as on the CPU.
  public func translate(rawAddress: UInt64, for access: MMUAccess) -> MMUTranslation {
    guard let address = VirtualAddress(rawAddress) else { return .generalProtection }
    return translate(address, for: access)
  }

  /// Translates `address` for `access`, from the TLB when it holds the page, otherwise by walking
  /// the tables (setting Accessed, and Dirty for a write) and caching the result if allowed.
  public func translate(_ address: VirtualAddress, for access: MMUAccess) -> MMUTranslation {
    if let cached = tlb.lookUp(address) {
      statistics.hits += 1
      if recordsStaleHits && isStale(cached) { staleHits.append(address) }
      return useCached(cached, for: address, access)
    }
    statistics.misses += 1
    return walkAndCache(address, for: access)
  }

  private func useCached(_ cached: TLBEntry, for address: VirtualAddress, _ access: MMUAccess)
    -> MMUTranslation
  {
    guard permits(cached.mapping.rights, access) else {
      tlb.invalidate(address)
      return pageFault(at: address, access, [.present])
    }
    if access.kind == .write && !cached.mapping.isDirty {
      walker.markDirty(cached.mapping)
      var updated = cached
      updated.mapping.isDirty = true
      tlb.insert(updated)
    }
    return .translated(cached.mapping.physicalAddress(of: address))
  }

  private func walkAndCache(_ address: VirtualAddress, for access: MMUAccess) -> MMUTranslation {
    switch walker.walk(address, root: rootTable) {
    case .notPresent:
      return pageFault(at: address, access, [])
    case .reservedBitSet:
      return pageFault(at: address, access, [.present, .reservedBit])
    case .mapped(var mapping):
      guard permits(mapping.rights, access) else {
        return pageFault(at: address, access, [.present])
      }
      let isWrite = access.kind == .write
      walker.markUsed(address, root: rootTable, write: isWrite)
      mapping.isDirty = mapping.isDirty || isWrite
      let isGlobal = mapping.isGlobal && features.globalPages
      tlb.insert(TLBEntry(mapping: mapping, isGlobal: isGlobal))
      return .translated(mapping.physicalAddress(of: address))
    }
  }

  // MARK: Permission rules (SDM Vol. 3A §4.6)

  /// Whether `rights`, combined over the walk, allow `access` under the current features.
  func permits(_ rights: AccessRights, _ access: MMUAccess) -> Bool {
    switch access.mode {
    case .user: return userPermits(rights, access.kind)
    case .supervisor: return supervisorPermits(rights, access)
    }
  }

  /// Ring 3 needs U/S at every level, plus R/W for writes and no XD for fetches; CR0.WP is
  /// irrelevant to user mode.
  private func userPermits(_ rights: AccessRights, _ kind: MMUAccess.Kind) -> Bool {
    guard rights.contains(.user) else { return false }
    switch kind {
    case .read: return true
    case .write: return rights.contains(.writable)
    case .execute: return rights.contains(.executable)
    }
  }

  /// The kernel may touch supervisor pages freely (writes subject to CR0.WP); user pages are
  /// barred for data by SMAP unless EFLAGS.AC, and for fetches by SMEP, with no override.
  private func supervisorPermits(_ rights: AccessRights, _ access: MMUAccess) -> Bool {
    let isUserPage = rights.contains(.user)
    switch access.kind {
    case .read:
      return !(isUserPage && smapForbids(access))
    case .write:
      guard !(isUserPage && smapForbids(access)) else { return false }
      return rights.contains(.writable) || !features.writeProtect
    case .execute:
      guard !(isUserPage && features.supervisorModeExecutionPrevention) else { return false }
      return rights.contains(.executable)
    }
  }

  private func smapForbids(_ access: MMUAccess) -> Bool {
    features.supervisorModeAccessPrevention && !access.overridesSMAP
  }

  /// A #PF for `access` at `address`; the W/R, U/S and I/D bits describe the access itself.
  private func pageFault(
    at address: VirtualAddress, _ access: MMUAccess, _ cause: PageFaultErrorCode
  ) -> MMUTranslation {
    var code = cause
    if access.kind == .write { code.insert(.write) }
    if access.mode == .user { code.insert(.user) }
    // SDM §4.7: I/D reports a fetch only when NXE or SMEP could have made fetches fault.
    let fetchesChecked = features.noExecuteEnable || features.supervisorModeExecutionPrevention
    if access.kind == .execute && fetchesChecked { code.insert(.instructionFetch) }
    return .pageFault(address: address, errorCode: code)
  }

  // MARK: TranslationCache

  /// Drops every cached translation covering `address`, of any page size (`invlpg`).
  public func invalidate(_ address: VirtualAddress) {
    statistics.pageInvalidations += 1
    tlb.invalidate(address)
  }

  /// Drops every non-global cached translation (a CR3 reload).
  public func invalidateAll() { flushNonGlobal() }

  /// Drops every cached translation, global ones too (toggling CR4.PGE).
  public func flushEverything() {
    statistics.fullFlushes += 1
    tlb.flushAll()
  }

  private func flushNonGlobal() {
    statistics.fullFlushes += 1
    tlb.flushNonGlobal()
  }

  // MARK: Inspection for tests

  /// What the tables in memory say about `address` now, bypassing the TLB and changing nothing.
  public func walk(_ address: VirtualAddress) -> PageWalk {
    walker.walk(address, root: rootTable)
  }

  /// The cached translation covering `address`, if any, without counting a hit or miss.
  public func cachedMapping(for address: VirtualAddress) -> WalkedMapping? {
    tlb.lookUp(address)?.mapping
  }

  /// How many translations the TLB holds.
  public var cachedTranslationCount: Int { tlb.count }

  /// The first address of every cached page whose translation is more permissive than the
  /// tables now allow: unmapped, remapped to another frame, split into smaller pages, with
  /// rights the tables no longer grant, or global when the leaf no longer is. Each is a
  /// missing invalidation. Entries merely *less* permissive than the tables are not listed:
  /// the CPU may keep those, and the worst they cause is a spurious fault.
  public func staleEntries() -> [VirtualAddress] {
    tlb.entries.filter(isStale).map(\.mapping.virtualStart).sorted()
  }

  private func isStale(_ entry: TLBEntry) -> Bool {
    let cached = entry.mapping
    guard let fresh = walk(cached.virtualStart).mapping else { return true }
    return fresh.physicalAddress(of: cached.virtualStart) != cached.physicalStart
      || fresh.size.bytes < cached.size.bytes
      || cached.rights.exceeds(fresh.rights)
      || (entry.isGlobal && !fresh.isGlobal)
  }

  /// Zeroes the counters and forgets recorded stale hits.
  public func resetStatistics() {
    statistics = TLBStatistics()
    staleHits.removeAll()
  }
}
