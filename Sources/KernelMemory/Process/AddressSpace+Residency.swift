extension AddressSpace {
  /// The resident pages of `region` that are its memory object's own frames — a file's
  /// page-cache pages, a shared-memory object's pages — not private copies made on write nor
  /// the zero page: what /proc's `RssFile` and `RssShmem` count (Linux's `MM_FILEPAGES` and
  /// `MM_SHMEMPAGES`). 0 for a region without an object. Walks the region's leaves: the cost
  /// is the region's mapped pages, paid only by whoever asks (a /proc read).
  public func residentObjectPages(of region: Region) -> UInt64 {
    guard region.object != nil else { return 0 }
    let table = physical.frameTable
    var pages: UInt64 = 0
    pageMap.forEachMapping(in: region.range) { mapping in
      let state = table[mapping.frameAddress.frame].state
      if state.contains(.shared), !state.contains(.pinned) {
        pages += mapping.size.bytes >> PageSize.size4KiB.shift
      }
    }
    return pages
  }
}
