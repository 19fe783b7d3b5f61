/// The anonymous reverse map kept exact (`AnonymousLineageTable`): every region with a
/// lineage is a member of it, added and removed exactly where the region table changes —
/// where the object reverse map is kept too (`AddressSpace+ReverseMap.swift`): a reservation
/// inserted (`insert`), a split (`split(at:)`), a merge (`mergeWithNext`), `munmap` and
/// `mremap`'s release (`release`), `mremap`'s move target (`move`), fork (`fork(into:tlb:)`:
/// the parent's regions get a lineage, the child's copies join it) and teardown
/// (`tearDown`, or `deinit`). `execve` makes a new space and tears the old one down.
/// Protection and charge changes leave it alone.

extension Region {
  /// Whether the region's private pages can be shared by fork, so it takes part in a
  /// lineage: private memory (anonymous, heap, stack, a private mapping's copies of a
  /// file's pages), not shared memory (the object's reverse map finds those) nor guards.
  @inlinable var sharesPrivatePagesAtFork: Bool { !kind.isShared && kind != .guardPage }

  /// The lineage page that `address` (inside the region) is.
  @inlinable func lineagePage(at address: UInt64) -> UInt64 {
    lineageOffset + ((address - range.start) >> PageSize.size4KiB.shift)
  }

  /// The lineage a merge of this region with `next` (which starts where this one ends)
  /// gives the merged region, or nil when they must not merge: both in one lineage at
  /// consecutive offsets, or one in none (its pages were never shared: they join the other's
  /// lineage at the offsets that follow, or precede, its own); two lineages never merge
  /// (Linux's `is_mergeable_anon_vma`), nor a lineage whose offsets would go below zero.
  func lineageAfterMerge(with next: Region) -> LineagePlace? {
    switch (lineage, next.lineage) {
    case (nil, nil):
      return LineagePlace(lineage: nil, offset: 0)
    case (let first?, nil):
      return LineagePlace(lineage: first, offset: lineageOffset)
    case (nil, let second?):
      let pages = range.pageCount
      guard next.lineageOffset >= pages else { return nil }
      return LineagePlace(lineage: second, offset: next.lineageOffset - pages)
    case (let first?, let second?):
      guard first == second, lineagePage(at: range.end) == next.lineageOffset else {
        return nil
      }
      return LineagePlace(lineage: first, offset: lineageOffset)
    }
  }

  /// Takes `place` as the region's lineage and offset.
  mutating func join(_ place: LineagePlace) {
    lineage = place.lineage
    lineageOffset = place.offset
  }

  /// A region made from part of `source` starting at `address` (a move target) keeps the
  /// lineage offsets of the pages it takes.
  mutating func inheritLineage(of source: Region, at address: UInt64) {
    guard let sourceLineage = source.lineage else { return }
    lineage = sourceLineage
    lineageOffset = source.lineagePage(at: address)
  }
}

/// Where a region sits in the lineage map: its lineage (nil: none) and lineage offset.
struct LineagePlace: Equatable {
  let lineage: AnonymousLineageID?
  let offset: UInt64
}

extension ObjectMapping {
  /// A lineage member: region `start ..< start + pages` of `space`, whose first page is
  /// lineage page `lineageOffset` (kept in `objectOffset`: the lineage tree orders and
  /// searches by it exactly as an object's does by object page).
  init(space: AddressSpaceID, start: UInt64, lineageOffset: UInt64, pages: UInt64) {
    self.space = space
    regionStart = start
    objectOffset = lineageOffset
    pageCount = pages
  }
}

extension AddressSpace {
  /// `region`'s entry in its lineage.
  func lineageMember(_ region: Region) -> ObjectMapping {
    ObjectMapping(
      space: spaceID, start: region.range.start, lineageOffset: region.lineageOffset,
      pages: region.range.pageCount)
  }

  /// Adds `region`, if it has a lineage, to it.
  func recordLineageMember(_ region: Region) {
    guard let lineage = region.lineage else { return }
    physical.lineages.add(lineageMember(region), to: lineage)
  }

  /// Removes `region`, if it has a lineage, from it.
  func forgetLineageMember(_ region: Region) {
    guard let lineage = region.lineage else { return }
    physical.lineages.remove(lineageMember(region), from: lineage)
  }

  /// `forgetLineageMember` for every region at `positions`.
  func forgetLineageMembers(of positions: Range<Int>) {
    for index in positions where regions[index].lineage != nil {
      forgetLineageMember(regions[index])
    }
  }

  /// `whole` was split into `lower` and `upper`: both replace it in its lineage.
  func splitLineageMember(_ whole: Region, into lower: Region, _ upper: Region) {
    guard whole.lineage != nil else { return }
    forgetLineageMember(whole)
    recordLineageMember(lower)
    recordLineageMember(upper)
  }

  /// `first` and `second` were merged into `merged`: it replaces them in their lineage.
  func mergeLineageMembers(_ first: Region, _ second: Region, into merged: Region) {
    guard merged.lineage != nil else { return }
    forgetLineageMember(first)
    forgetLineageMember(second)
    recordLineageMember(merged)
  }

  /// Fork, the parent's side, before its regions are copied: each region that can share
  /// private pages and has no lineage yet starts one, as its only member, at its own page
  /// number. O(regions) reads; a region is written only the first time it is forked.
  func prepareLineagesForFork() {
    for index in 0..<regions.count {
      var region = regions[index]
      guard region.lineage == nil, region.sharesPrivatePagesAtFork else { continue }
      region.join(
        LineagePlace(
          lineage: physical.lineages.create(),
          offset: region.range.start >> PageSize.size4KiB.shift))
      regions[index] = region
      recordLineageMember(region)
    }
  }

  /// Fork, the child's side, once it has its copy of the regions: each region with a
  /// lineage joins it — or, when the lineage is full (`AnonymousLineageTable.memberLimit`),
  /// leaves it, so its shared pages are found only by its own clock hand.
  func joinParentLineages() {
    for index in 0..<regions.count {
      var region = regions[index]
      guard let lineage = region.lineage else { continue }
      guard physical.lineages.memberCount(of: lineage) < AnonymousLineageTable.memberLimit
      else {
        region.join(LineagePlace(lineage: nil, offset: 0))
        regions[index] = region
        continue
      }
      recordLineageMember(region)
    }
  }
}
