import KernelSupport

/// The kernel's `TranslationCache`: the real TLB, flushed with INVLPG or a CR3 reload.
struct HardwareTLB: TranslationCache {
  func invalidate(_ address: VirtualAddress) {
    tlb_invalidate_page(address.value)
  }

  /// Reloads CR3 with itself: every non-global translation is dropped.
  func invalidateAll() {
    page_table_root_write(page_table_root_read())
  }
}

/// The page map CR3 points at right now, reached through the direct map.
func activePageMap() -> PageMap<DirectMap> {
  let physicalAddressBits: UInt64 = 0x000f_ffff_ffff_f000
  return PageMap(
    root: PhysicalFrame(number: (page_table_root_read() & physicalAddressBits) >> 12),
    memory: DirectMap())
}
