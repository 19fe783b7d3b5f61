import Testing

@testable import KernelMemory

/// The internal pieces of the bitmap: word arithmetic, runs of words, and the storage layout.
@Suite struct FrameBitmapLayoutTests {
  @Test func runWordsSplitAtWordBoundaries() {
    let words = Array(BitmapRunWords(60..<200))
    #expect(words.map(\.word) == [0, 1, 2, 3])
    #expect(words[0].mask == 0xf000_0000_0000_0000)
    #expect(words[1].mask == UInt64.max)
    #expect(words[2].mask == UInt64.max)
    #expect(words[3].mask == 0xff)
    #expect(Array(BitmapRunWords(5..<5)).isEmpty)
    let single = Array(BitmapRunWords(64..<128))
    #expect(single.count == 1 && single[0].word == 1 && single[0].mask == UInt64.max)
    let inside = Array(BitmapRunWords(68..<71))
    #expect(inside.count == 1 && inside[0].word == 1 && inside[0].mask == 0x70)
    let last = Array(BitmapRunWords(127..<129))
    #expect(last.map(\.word) == [1, 2] && last.map(\.mask) == [1 << 63, 1])
  }

  @Test func wordArithmetic() {
    #expect(BitmapWord.word(of: 130) == 2)
    #expect(BitmapWord.bit(of: 130) == 4)
    #expect(BitmapWord.wordsNeeded(forBits: 0) == 0)
    #expect(BitmapWord.wordsNeeded(forBits: 65) == 2)
  }

  @Test func summaryLevelsGrowWithTheLogarithmOfMemory() {
    // 128 MiB: 512 words, 8, 1. 1 TiB: 2^22 words, 2^16, 2^10, 16, 1. The 52-bit limit: 6 levels.
    #expect(BitmapLayout(frameCount: 1 << 15).topLevel == 2)
    #expect(BitmapLayout(frameCount: 1 << 28).topLevel == 4)
    #expect(BitmapLayout(frameCount: BitmapLayout.maximumFrameCount).topLevel == 6)
    #expect(BitmapLayout(frameCount: 1).topLevel == 1)
    let terabyte = BitmapLayout(frameCount: 1 << 28)
    #expect(terabyte.levelWords[1] == 1 << 16)
    #expect(terabyte.levelWords[4] == 1)
  }

  @Test func layoutPartsDoNotOverlap() {
    for frames: UInt64 in [1, 63, 64, 65, 4096, 4097, 1 << 20, (1 << 20) + 3] {
      let layout = BitmapLayout(frameCount: frames)
      // Level 0 and the usable map interleave: words [header, header + 2 * words0), words0
      // padded to whole 2 MiB blocks of 8 words.
      let paddedWords = (layout.levelWords[0] + 7) / 8 * 8
      #expect(layout.blockCount == Int((frames + 511) / 512))
      #expect(paddedWords == layout.blockCount * 8)
      var next = BitmapLayout.headerWords + 2 * paddedWords
      #expect(layout.levelOffsets[0] == BitmapLayout.headerWords)
      #expect(layout.usableOffset == BitmapLayout.headerWords + 1)
      for level in 1...layout.topLevel {
        #expect(layout.levelOffsets[level] == next)
        next += layout.levelWords[level]
      }
      #expect(layout.levelWords[layout.topLevel] == 1)
      // Then the free-block map, one bit per block, and its summaries.
      #expect(layout.blockLevelWords[0] == (layout.blockCount + 63) / 64)
      for level in 0...layout.blockTopLevel {
        #expect(layout.blockLevelOffsets[level] == next)
        next += layout.blockLevelWords[level]
      }
      #expect(layout.blockLevelWords[layout.blockTopLevel] == 1)
      #expect(layout.totalWords == next)
    }
  }

  @Test func headerSlotsDoNotOverlap() {
    // The free-block slots follow the frame levels' slots; the unsettled block's is a literal.
    typealias Slot = BitmapLayout.HeaderSlot
    #expect(Slot.unsettledBlock == Slot.levelWords + 8)
    #expect(Slot.blockTopLevel == Slot.unsettledBlock + 1)
    #expect(Slot.blockLevelOffsets == Slot.blockTopLevel + 1)
    #expect(BitmapLayout.headerWords == Slot.blockLevelWords + 8)
    // 1 TiB: 2^19 blocks make 8192 words, then 128, 2, 1.
    let terabyte = BitmapLayout(frameCount: 1 << 28)
    #expect(terabyte.blockTopLevel == 3)
    #expect(terabyte.blockLevelWords[0] == 8192 && terabyte.blockLevelWords[1] == 128)
  }

  @Test func freeBlockMapCostsAboutOneBitPer512Frames() {
    // 1 TiB: 8192 + 128 + 2 + 1 words (65 KiB), 0.00025 bytes per frame, beside 64 MiB of bitmap.
    let terabyte = BitmapLayout(frameCount: 1 << 28)
    let mapWords = terabyte.totalWords - terabyte.blockLevelOffsets[0]
    #expect(mapWords == 8192 + 128 + 2 + 1)
    #expect(Double(mapWords * 8) / Double(1 << 28) < 0.00025)
    // Level-0 padding to whole blocks costs at most 7 words in each of the two interleaved maps.
    let odd = BitmapLayout(frameCount: 65)
    #expect(odd.levelOffsets[1] == BitmapLayout.headerWords + 2 * 8)
  }

  @Test func releasingAFrameThatWasNotAllocatedTraps() async {
    await #expect(processExitsWith: .failure) {
      let storage = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 64)
      let map = MemoryMap([MemoryMapEntry(start: 0, length: 16 * 4096, kind: .usable)])
      var bitmap = try FrameBitmap(memoryMap: map, reserving: [PhysicalRange](), storage: storage)
      bitmap.releaseFrame(PhysicalFrame(number: 3))
    }
  }
}
