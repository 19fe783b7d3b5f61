/// The allocator's accounting, for diagnostics and for checking that frames return to baseline.
extension FrameBitmap {
  /// The counts now. `largestFreeRun` scans the bitmap (O(frames / 64), plus the bits of words
  /// that are neither full nor empty), so this is for diagnostics, not for hot paths.
  public var statistics: FrameStatistics {
    FrameStatistics(
      totalFrames: frameCount, usableFrames: usableFrameCount, freeFrames: freeFrameCount,
      largestFreeRun: largestFreeRun())
  }

  /// The longest run of consecutive free frames anywhere in the bitmap.
  func largestFreeRun() -> UInt64 {
    var longest: UInt64 = 0
    var current: UInt64 = 0
    for index in 0..<wordCount(ofLevel: 0) {
      let word = freeWords[index]
      if word == BitmapWord.allOnes {
        current &+= UInt64(BitmapWord.bitCount)
      } else {
        current = scanRuns(in: word, carrying: current, longest: &longest)
      }
      longest = Swift.max(longest, current)
    }
    return longest
  }

  /// Walks the runs of set bits of a word that is not all ones, extending the run `current` that
  /// ends at its bottom, updating `longest`, and returns the run left open at its top.
  private func scanRuns(in word: UInt64, carrying current: UInt64, longest: inout UInt64) -> UInt64
  {
    var remaining = word
    var position = 0
    var run = current
    while position < BitmapWord.bitCount {
      // Set bits at the bottom extend the open run; `remaining` shifts in zeros from the top.
      let ones = Swift.min((~remaining).trailingZeroBitCount, BitmapWord.bitCount - position)
      run &+= UInt64(ones)
      longest = Swift.max(longest, run)
      position &+= ones
      remaining = ones == BitmapWord.bitCount ? 0 : remaining >> UInt64(ones)
      guard position < BitmapWord.bitCount else { break }
      let zeros = Swift.min(remaining.trailingZeroBitCount, BitmapWord.bitCount - position)
      run = 0
      position &+= zeros
      remaining = zeros == BitmapWord.bitCount ? 0 : remaining >> UInt64(zeros)
    }
    return run
  }
}
