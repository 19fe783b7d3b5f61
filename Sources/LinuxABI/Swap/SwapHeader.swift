/// The header `mkswap` (util-linux) writes in a swap area's first page, in Linux's format
/// (`union swap_header` in include/linux/swap.h, read by `read_swap_header` in mm/swapfile.c):
///
/// | offset | field | |
/// |---|---|---|
/// | 0 | `bootbits[1024]` | left alone (room for a disk label) |
/// | 1024 | `version` (u32) | 1 |
/// | 1028 | `last_page` (u32) | the last usable page; the area is pages 0…last_page |
/// | 1032 | `nr_badpages` (u32) | how many entries `badpages` has |
/// | 1036 | `sws_uuid[16]` | the UUID (`swapon -U`) |
/// | 1052 | `sws_volume[16]` | the label, NUL-padded (`swapon -L`) |
/// | 1536 | `badpages[nr_badpages]` (u32 each) | pages never to use |
/// | 4086 | `magic[10]` | `SWAPSPACE2` |
///
/// Numbers are in the byte order of the machine that ran `mkswap`; like Linux, a header whose
/// version reads 1 only after a byte swap is taken with every number swapped. Page *n* of the
/// area is swap slot *n*: slot 0 holds this header and is never given out, so the usable slots
/// are 1…`lastPage` minus the bad ones.
public struct SwapHeader: Equatable {
  /// `PAGE_SIZE` on x86-64: the header is one page, and so is every slot.
  public static let pageSize = 4096
  /// `SWAPSPACE2` at `pageSize - 10`: the signature of version 1.
  public static let magic: [UInt8] = Array("SWAPSPACE2".utf8)
  /// `SWAP-SPACE`: version 0's signature, which Linux refuses since 2.5.
  public static let oldMagic: [UInt8] = Array("SWAP-SPACE".utf8)
  public static let magicOffset = pageSize - 10
  public static let versionOffset = 1024
  public static let lastPageOffset = 1028
  public static let badPageCountOffset = 1032
  public static let uuidOffset = 1036
  public static let labelOffset = 1052
  /// The UUID's and the label's length (`sws_uuid`, `sws_volume`).
  public static let uuidLength = 16
  public static let labelLength = 16
  /// `info.badpages`: after `bootbits`, three u32s, the UUID, the label and `padding[117]`.
  public static let badPagesOffset = 1536
  /// `MAX_SWAP_BADPAGES`: as many u32s as fit between `badpages` and the magic (637).
  public static let maximumBadPages = (magicOffset - badPagesOffset) / 4
  /// The only version Linux (and this kernel) accepts.
  public static let supportedVersion: UInt32 = 1

  /// `last_page`: the area covers pages (slots) 0…lastPage.
  public let lastPage: UInt32
  /// `badpages`, in the header's order (each within 1…lastPage).
  public let badPages: [UInt32]
  public let uuid: [UInt8]
  /// The label up to its first NUL (empty when none was given).
  public let label: [UInt8]
  /// The header was written in the other byte order (numbers were swapped to read it).
  public let byteSwapped: Bool

  /// Slots the area has, the header's included: `lastPage + 1`.
  public var slotCount: UInt64 { UInt64(lastPage) + 1 }
  /// Slots that can hold pages: all but the header's slot 0 and the bad ones (Linux's
  /// `nr_good_pages`).
  public var usableSlotCount: UInt64 { slotCount - 1 - UInt64(badPages.count) }

  /// Reads the header from the area's first page (`page`, at least `pageSize` bytes) of a disk
  /// of `capacityPages` pages.
  public init(page: UnsafeRawBufferPointer, capacityPages: UInt64) throws(SwapHeaderError) {
    guard page.count >= Self.pageSize else { throw .shortPage }
    let signature = Array(page[Self.magicOffset..<Self.pageSize])
    if signature == Self.oldMagic { throw .unsupportedOldFormat }
    guard signature == Self.magic else { throw .noSignature }
    let rawVersion = Self.word(page, Self.versionOffset, swapped: false)
    byteSwapped = rawVersion != Self.supportedVersion && rawVersion.byteSwapped == Self.supportedVersion
    let version = byteSwapped ? rawVersion.byteSwapped : rawVersion
    guard version == Self.supportedVersion else { throw .unsupportedVersion(version) }
    lastPage = Self.word(page, Self.lastPageOffset, swapped: byteSwapped)
    guard lastPage > 0 else { throw .empty }
    guard UInt64(lastPage) < capacityPages else {
      throw .largerThanDisk(lastPage: lastPage, capacityPages: capacityPages)
    }
    let badCount = Self.word(page, Self.badPageCountOffset, swapped: byteSwapped)
    guard badCount <= Self.maximumBadPages else { throw .tooManyBadPages(badCount) }
    var bad: [UInt32] = []
    for index in 0..<Int(badCount) {
      let slot = Self.word(page, Self.badPagesOffset + 4 * index, swapped: byteSwapped)
      guard slot > 0, slot <= lastPage else { throw .badPageOutOfRange(slot) }
      bad.append(slot)
    }
    badPages = bad
    uuid = Array(page[Self.uuidOffset..<(Self.uuidOffset + Self.uuidLength)])
    label = Array(page[Self.labelOffset..<(Self.labelOffset + Self.labelLength)].prefix { $0 != 0 })
  }

  /// The u32 at `offset`, in the header's byte order.
  private static func word(_ page: UnsafeRawBufferPointer, _ offset: Int, swapped: Bool) -> UInt32 {
    let value = page.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    return swapped ? value.byteSwapped : value
  }

  /// The UUID as `blkid` and `swapon --show=UUID` print it: 8-4-4-4-12 lower-case hex digits.
  public var uuidText: String {
    var text = ""
    let digits = Array("0123456789abcdef".utf8)
    for (index, byte) in uuid.enumerated() {
      if index == 4 || index == 6 || index == 8 || index == 10 { text += "-" }
      text += String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xf)]], as: UTF8.self)
    }
    return text
  }

  /// The label as text (bytes that are not UTF-8 come out as U+FFFD).
  public var labelText: String { String(decoding: label, as: UTF8.self) }
}

/// Why a disk's first page is not a swap area this kernel uses (each says so in the boot line).
public enum SwapHeaderError: Error, Equatable {
  /// Fewer bytes than a page were given.
  case shortPage
  /// No `SWAPSPACE2` at the end of the first page: not made by `mkswap`.
  case noSignature
  /// `SWAP-SPACE`: the version-0 format, refused by Linux since 2.5 and here.
  case unsupportedOldFormat
  case unsupportedVersion(UInt32)
  /// `last_page` 0: Linux's "Empty swap-file".
  case empty
  /// The header names pages the disk does not have (Linux: "Swap area shorter than signature
  /// indicates").
  case largerThanDisk(lastPage: UInt32, capacityPages: UInt64)
  /// More than `maximumBadPages` bad pages.
  case tooManyBadPages(UInt32)
  /// A bad page of 0 (the header) or past `last_page`.
  case badPageOutOfRange(UInt32)

  /// The reason, for the boot line.
  public var reason: String {
    switch self {
    case .shortPage: return "the first page could not be read whole"
    case .noSignature: return "no SWAPSPACE2 signature (not made by mkswap)"
    case .unsupportedOldFormat: return "old SWAP-SPACE (version 0) header, unsupported as on Linux"
    case .unsupportedVersion(let version): return "swap header version " + String(version) + ", only 1 is known"
    case .empty: return "last_page is 0 (an empty swap area)"
    case .largerThanDisk(let lastPage, let capacity):
      var text = "the header's last page " + String(lastPage)
      text += " is past the disk's " + String(capacity)
      return text + " pages (swap area shorter than signature indicates)"
    case .tooManyBadPages(let count):
      let text = String(count) + " bad pages, more than the "
      return text + String(SwapHeader.maximumBadPages) + " a header holds"
    case .badPageOutOfRange(let slot): return "bad page " + String(slot) + " is outside the area"
    }
  }
}
