extension AddressSpace {
  /// How many pages one batch of `forEachMappingInBatches` covers: one page table's worth
  /// (2 MiB), so a batch holds at most 512 mappings (16 KiB) however large the range is.
  static var mappingBatchPages: Int { pageTableEntryCount }

  /// Calls `body` for every mapping in `range`, in address order, collecting them one 2 MiB
  /// window at a time so that `body` may change the page tables (re-protect a leaf, unmap it)
  /// without invalidating the walk.
  ///
  /// Why windows and not one list of the whole range: the list lives on the kernel heap, whose
  /// frames are not covered by any process's commit. A list of every mapped page of a range
  /// grows with what the caller asks for — 2 GiB of touched memory is ~24 MiB of list — and a
  /// process that has committed all it may would exhaust the heap's reserve and panic the
  /// kernel (found by review: `mprotect` / `mremap` of a large, fully touched mapping). A
  /// window's list is bounded, and its storage is reused from window to window.
  func forEachMappingInBatches(in range: VirtualRange, _ body: (Mapping) -> Void) {
    let windowBytes = UInt64(Self.mappingBatchPages) * PageSize.size4KiB.bytes
    var batch: [Mapping] = []
    batch.reserveCapacity(Self.mappingBatchPages)
    var windowStart = range.start
    while windowStart < range.end {
      // range.end <= UserLayout.end, so the aligned-up boundary cannot overflow.
      let boundary = (windowStart / windowBytes + 1) * windowBytes
      let window = VirtualRange(uncheckedStart: windowStart, end: min(boundary, range.end))
      pageMap.forEachMapping(in: window) { mapping in
        // A larger page reaching back before the window was handled with an earlier one.
        guard window.start == range.start || mapping.page.value >= window.start else { return }
        batch.append(mapping)
      }
      for mapping in batch { body(mapping) }
      batch.removeAll(keepingCapacity: true)
      windowStart = window.end
    }
  }
}
