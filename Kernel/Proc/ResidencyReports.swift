import KernelSupport

/// `/proc/PID/smaps`, `smaps_rollup` and `pagemap` from the address space's leaves: each
/// present leaf's frame, its map count in the frame table (a count above one is a shared page
/// and adds 1/count to the Pss), the leaf's dirty and accessed bits, and whose page it is (a
/// memory object's frame is a file's or shared memory's, any other frame anonymous; the
/// zero page is no page, as Linux's `vm_normal_page` says). A read walks the leaves of what
/// it reports — the cost is paid by the reader only.
///
/// Differences from Linux: a page in a page table fork still shares between two spaces is
/// mapped by one leaf, so it counts as private to each (Linux: shared, half the Pss each);
/// `Swap`/`SwapPss` come from `swapUse` (the region's swap entries); the pagemap's swap bit is
/// still 0.
enum ResidencyReports {
  static let pageBytes = PageSize.size4KiB.bytes

  /// The swapped-out pages of `region` in bytes and their proportional share (Linux's
  /// `smaps_pte_entry`): each swap entry is a page of `Swap`; of `SwapPss`, a whole page when
  /// its slot has one holder, else the page divided by the holders (a leaf in a page table
  /// fork shares is one holder, as it is one reference on the slot). The one place the smaps
  /// swap figures come from.
  static func swapUse(of region: Region, in space: ProcessAddressSpace) -> (
    bytes: UInt64, pss: UInt64
  ) {
    guard let swap = space.physical.swap, space.swappedPages > 0 else { return (0, 0) }
    var bytes: UInt64 = 0
    var pss: UInt64 = 0
    space.forEachSwapEntry(in: region.range) { _, slot, _ in
      bytes += pageBytes
      pss += (pageBytes << ProcSmaps.pssShift) / UInt64(max(swap.slots.references(of: slot), 1))
    }
    return (bytes, pss)
  }

  static func pageKind(_ object: MemoryObjectID?, frameShared: Bool) -> SmapsPageKind {
    guard let object, frameShared else { return .anonymous }
    switch MemoryManager.physical!.objects[object].kind {
    case .fileContents: return .file
    case .file, .anonymousShared: return .shmem
    }
  }

  static func counts(of region: Region, in space: ProcessAddressSpace) -> SmapsCounts {
    var counts = SmapsCounts()
    let table = space.physical.frameTable
    let zero = space.zeroPage
    space.pageMap.forEachMapping(in: region.range) { mapping in
      let frame = mapping.frameAddress.frame
      guard frame != zero else { return }
      let info = table[frame]
      counts.add(
        bytes: mapping.size.bytes, mapCount: UInt64(info.mapCount),
        dirty: mapping.flags.contains(.dirty), referenced: mapping.flags.contains(.accessed),
        kind: pageKind(region.object, frameShared: info.state.contains(.shared)))
    }
    (counts.swap, counts.swapPss) = swapUse(of: region, in: space)
    return counts
  }

  static func flags(of region: Region) -> SmapsFlags {
    var flags = SmapsFlags()
    flags.read = region.protection.contains(.read)
    flags.write = region.protection.contains(.write)
    flags.execute = region.protection.contains(.execute)
    flags.shared = region.kind.isShared
    flags.mayShare = region.isMappedShared
    flags.mayWrite = region.maximumProtection.contains(.write)
    flags.growsDown = region.kind == .stack
    flags.accounted = !region.isMappedShared && region.isCommitted && flags.write
    flags.softDirty = region.kind != .stack
    return flags
  }

  static func smaps(of owner: UserProcess) -> [UInt8] {
    guard let space = owner.addressSpace else { return [] }
    let entries = ProcessReports.maps(of: owner)
    var regions: [(entry: MapsEntry, counts: SmapsCounts, flags: SmapsFlags)] = []
    var index = 0
    for region in space.regions where region.kind != .guardPage {
      regions.append((entries[index], counts(of: region, in: space), flags(of: region)))
      index += 1
    }
    return ProcSmaps.text(regions)
  }

  static func rollup(of owner: UserProcess) -> [UInt8] {
    guard let space = owner.addressSpace else { return [] }
    var sum = SmapsCounts()
    var start: UInt64? = nil
    var end: UInt64 = 0
    for region in space.regions where region.kind != .guardPage {
      if start == nil { start = region.range.start }
      end = region.range.end
      sum.add(counts(of: region, in: space))
    }
    guard let start else { return [] }
    return ProcSmaps.rollup(start: start, end: end, sum)
  }

  /// The pagemap entries of `count` pages from virtual page `firstPage`, little-endian.
  static func pagemap(of owner: UserProcess, firstPage: UInt64, count: UInt64) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(count * ProcPagemap.entryBytes))
    let space = owner.addressSpace
    for number in firstPage..<firstPage + count {
      var value: UInt64 = 0
      if let space {
        value = ProcPagemap.entry(page(number * pageBytes, in: space), showFrame: true)
      }
      withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
    return bytes
  }

  static func page(_ address: UInt64, in space: ProcessAddressSpace) -> PagemapPage {
    var page = PagemapPage()
    guard let region = space.region(containing: address), region.kind != .guardPage else {
      return page
    }
    page.inMapping = true
    page.softDirty = region.kind != .stack
    let range = VirtualRange(uncheckedStart: address, end: address + pageBytes)
    space.pageMap.forEachMapping(in: range) { mapping in
      page.present = true
      let frame = mapping.frameAddress.frame
      page.frame = frame.number + (address - mapping.page.value) / pageBytes
      if mapping.flags.contains(.dirty) { page.softDirty = true }
      guard frame != space.zeroPage else { return }
      let info = space.physical.frameTable[frame]
      page.exclusive = info.mapCount == 1
      page.fileOrShared = region.object != nil && info.state.contains(.shared)
    }
    return page
  }
}
