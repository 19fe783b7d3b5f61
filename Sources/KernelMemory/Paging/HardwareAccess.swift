/// How the core reads and writes physical memory: page tables and frame contents.
///
/// The kernel implements it with its direct map of all RAM; host tests with emulated RAM. Keeping
/// this the only way to touch physical memory is what lets the same `PageMap` run in both.
public protocol PhysicalMemoryAccess {
  /// Reads the 64-bit word at `address` (8-byte aligned).
  func load(_ address: PhysicalAddress) -> UInt64
  /// Writes the 64-bit word at `address` (8-byte aligned).
  func store(_ value: UInt64, at address: PhysicalAddress)
  /// Fills the 4 KiB frame with zeros.
  func zero(_ frame: PhysicalFrame)
  /// Copies a whole 4 KiB frame.
  func copy(_ source: PhysicalFrame, to destination: PhysicalFrame)
}

/// The TLB: translations the CPU may cache until told to forget them.
///
/// The kernel implements it with `invlpg` and CR3 reloads; host tests with the software MMU, whose
/// TLB keeps stale entries until invalidated, so a missing call fails a test.
public protocol TranslationCache {
  /// Forgets any cached translation of the page containing `address` (`invlpg`).
  func invalidate(_ address: VirtualAddress)
  /// Forgets every non-global cached translation (a CR3 reload).
  func invalidateAll()
  /// Forgets every cached translation of the address space whose PML4 is `root`: what a
  /// change to many of that space's entries owes (fork write-protecting the parent). Without
  /// PCIDs only the space loaded in CR3 can have cached translations — loading another one
  /// flushes them — so an implementation may do nothing for any other root; the default
  /// flushes whatever is loaded (`invalidateAll`), which is always enough.
  func invalidateAddressSpace(root: PhysicalFrame)
  /// Forgets any cached translation of the page containing `address` in the address space
  /// whose PML4 is `root`. The default assumes that space is the one loaded and invalidates
  /// the page (`invalidate`), which is always enough; an implementation may skip a space that
  /// cannot have cached it (not loaded, no PCIDs).
  func invalidate(_ address: VirtualAddress, inAddressSpace root: PhysicalFrame)
}

extension TranslationCache {
  public func invalidateAddressSpace(root: PhysicalFrame) { invalidateAll() }
  public func invalidate(_ address: VirtualAddress, inAddressSpace root: PhysicalFrame) {
    invalidate(address)
  }
}

/// Where `PageMap` gets frames for new page tables and returns them when tables empty.
///
/// Kept separate from the frame bitmap's concrete type so tests can inject failures.
public protocol FrameSource {
  /// One free frame, or nil when memory is exhausted.
  mutating func allocateFrame() -> PhysicalFrame?
  /// Returns a frame that `allocateFrame` handed out. Returning any other frame is a kernel bug.
  mutating func releaseFrame(_ frame: PhysicalFrame)
}
