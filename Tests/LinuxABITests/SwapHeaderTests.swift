import Foundation
import LinuxABI
import Testing

/// The swap header as the machine's own `mkswap` (util-linux) writes it, and hand-made damage.
@Suite struct SwapHeaderTests {
  static let mkswap = "/usr/sbin/mkswap"
  static let pagesPerMebibyte: UInt64 = 256

  /// A sparse image of `pages` pages with `mkswap`'s header, its first page returned.
  func mkswapFirstPage(pages: UInt64, arguments: [String]) throws -> [UInt8] {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("swap-header-\(UUID().uuidString).img").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(FileManager.default.createFile(atPath: path, contents: nil))
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.truncate(atOffset: pages * UInt64(SwapHeader.pageSize))
    try handle.close()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.mkswap)
    process.arguments = arguments + [path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let data = try #require(FileManager.default.contents(atPath: path))
    return Array(data.prefix(SwapHeader.pageSize))
  }

  func parse(_ page: [UInt8], capacityPages: UInt64) throws(SwapHeaderError) -> SwapHeader {
    do {
      return try page.withUnsafeBytes { raw in
        try SwapHeader(page: raw, capacityPages: capacityPages)
      }
    } catch let error as SwapHeaderError {
      throw error
    } catch {
      fatalError("unexpected \(error)")
    }
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: mkswap)))
  func readsMkswapsHeaderWithLabelAndUUID() throws {
    let pages = 4 * Self.pagesPerMebibyte
    let page = try mkswapFirstPage(
      pages: pages, arguments: ["-L", "swaptest", "-U", "01234567-89ab-cdef-0123-456789abcdef"])
    let header = try parse(page, capacityPages: pages)
    #expect(header.lastPage == UInt32(pages - 1))
    #expect(header.slotCount == pages)
    #expect(header.usableSlotCount == pages - 1)
    #expect(header.badPages.isEmpty)
    #expect(header.labelText == "swaptest")
    #expect(header.uuidText == "01234567-89ab-cdef-0123-456789abcdef")
    #expect(!header.byteSwapped)
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: mkswap)))
  func badPagesListedInTheHeaderAreKept() throws {
    let pages: UInt64 = 64
    var page = try mkswapFirstPage(pages: pages, arguments: [])
    store(2, at: SwapHeader.badPageCountOffset, in: &page)
    store(7, at: SwapHeader.badPagesOffset, in: &page)
    store(63, at: SwapHeader.badPagesOffset + 4, in: &page)
    let header = try parse(page, capacityPages: pages)
    #expect(header.badPages == [7, 63])
    #expect(header.usableSlotCount == pages - 3)
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: mkswap)))
  func damagedHeadersAreRefusedWithTheirReason() throws {
    let pages: UInt64 = 64
    let good = try mkswapFirstPage(pages: pages, arguments: [])
    #expect(throws: SwapHeaderError.largerThanDisk(lastPage: 63, capacityPages: 32)) {
      _ = try parse(good, capacityPages: 32)
    }
    var page = good
    store(2, at: SwapHeader.versionOffset, in: &page)
    #expect(throws: SwapHeaderError.unsupportedVersion(2)) { _ = try parse(page, capacityPages: pages) }
    page = good
    store(0, at: SwapHeader.lastPageOffset, in: &page)
    #expect(throws: SwapHeaderError.empty) { _ = try parse(page, capacityPages: pages) }
    page = good
    store(1, at: SwapHeader.badPageCountOffset, in: &page)
    store(64, at: SwapHeader.badPagesOffset, in: &page)
    #expect(throws: SwapHeaderError.badPageOutOfRange(64)) { _ = try parse(page, capacityPages: pages) }
    page = good
    store(UInt32(SwapHeader.maximumBadPages + 1), at: SwapHeader.badPageCountOffset, in: &page)
    #expect(throws: SwapHeaderError.tooManyBadPages(UInt32(SwapHeader.maximumBadPages + 1))) {
      _ = try parse(page, capacityPages: pages)
    }
    page = good
    page.replaceSubrange(SwapHeader.magicOffset..<SwapHeader.pageSize, with: SwapHeader.oldMagic)
    #expect(throws: SwapHeaderError.unsupportedOldFormat) { _ = try parse(page, capacityPages: pages) }
  }

  @Test func aZeroedDiskHasNoSignature() {
    let page = [UInt8](repeating: 0, count: SwapHeader.pageSize)
    #expect(throws: SwapHeaderError.noSignature) { _ = try parse(page, capacityPages: 16) }
    #expect(throws: SwapHeaderError.shortPage) { _ = try parse([1, 2], capacityPages: 16) }
  }

  @Test func aByteSwappedHeaderIsReadAsLinuxDoes() throws {
    var page = [UInt8](repeating: 0, count: SwapHeader.pageSize)
    page.replaceSubrange(SwapHeader.magicOffset..<SwapHeader.pageSize, with: SwapHeader.magic)
    store(UInt32(1).byteSwapped, at: SwapHeader.versionOffset, in: &page)
    store(UInt32(15).byteSwapped, at: SwapHeader.lastPageOffset, in: &page)
    let header = try parse(page, capacityPages: 16)
    #expect(header.byteSwapped)
    #expect(header.lastPage == 15)
    #expect(MemoryLayout<UInt32>.size * SwapHeader.maximumBadPages
      == SwapHeader.magicOffset - SwapHeader.badPagesOffset - 2)
  }

  func store(_ value: UInt32, at offset: Int, in page: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { page.replaceSubrange(offset..<(offset + 4), with: $0) }
  }
}
