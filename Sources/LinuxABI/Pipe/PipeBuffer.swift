/// The bytes in flight in one pipe, kept as Linux keeps them (fs/pipe.c): a ring of
/// `slotCount` (`PIPE_DEF_BUFFERS`, 16) slots, each a page with an offset and a length, so the
/// capacity is 16 pages = 64 KiB and the pipe is *full* when every slot is in use, however
/// little of its page a slot still holds — exactly when Linux answers EAGAIN or stops
/// reporting POLLOUT.
///
/// - **Writes** (`pipe_write`): a write whose length is not a whole number of pages first
///   tries to append its sub-page remainder (`length % pageSize`) to the last slot's page;
///   then it fills fresh slots a page at a time. A write of at most `atomicWriteLimit`
///   (`PIPE_BUF`) bytes therefore lands in one piece or not at all. What does not fit is the
///   caller's to retry after waiting (blocking) or to report as a partial count (non-blocking).
/// - **Reads** (`pipe_read`) take from the oldest slot on; an emptied slot's page goes back
///   (one is kept as a spare for the next write, Linux's `tmp_page`).
/// - **Ends**: the counts of open read and write ends (Linux counts open files, so `dup`
///   and fork share one). A read of an empty pipe with no writer is end of file; a write with
///   no reader is `noReaders` (EPIPE, SIGPIPE). When both counts reach zero every page —
///   the spare too — goes back to the page source.
///
/// Noncopyable: it owns its pages, and a copy would free them twice.
public struct PipeBuffer<Pages: PipePageSource>: ~Copyable {
  /// `PIPE_DEF_BUFFERS`: slots in the ring.
  public static var slotCount: Int { 16 }
  /// `PAGE_SIZE`.
  public static var pageSize: Int { 4096 }
  /// `PIPE_BUF`: writes up to this length are atomic.
  public static var atomicWriteLimit: Int { 4096 }
  /// The bytes a pipe holds when every slot's page is full (`F_GETPIPE_SZ`: 65,536).
  public static var capacity: Int { slotCount * pageSize }

  /// One slot: a page and the part of it holding unread bytes.
  struct Slot {
    var page: UnsafeMutableRawPointer
    var offset: Int
    var length: Int
  }

  private var slots: [Slot?]
  /// Ever-increasing slot counters, as Linux's `head` and `tail`: `head - tail` slots in use.
  private var head = 0
  private var tail = 0
  private var spare: UnsafeMutableRawPointer? = nil
  /// Where pages come from.
  public private(set) var pages: Pages
  /// Open read ends and write ends.
  public private(set) var readers = 1
  public private(set) var writers = 1
  /// Unread bytes.
  public private(set) var byteCount = 0

  /// A new pipe with one read end and one write end open and no page taken yet.
  public init(pages: Pages) {
    self.pages = pages
    slots = [Slot?](repeating: nil, count: Self.slotCount)
  }

  public var isEmpty: Bool { head == tail }
  /// Every slot is in use: a write must wait (or answer EAGAIN).
  public var isFull: Bool { head - tail >= Self.slotCount }
  /// Pages the pipe holds now (slots in use plus the spare).
  public var pagesHeld: Int { (head - tail) + (spare == nil ? 0 : 1) }

  /// Readable now: bytes to read, or end of file (POLLIN / POLLHUP).
  public var readReady: Bool { !isEmpty || writers == 0 }
  /// Writable now: a free slot, or no reader (POLLOUT / POLLERR: the write would not block).
  public var writeReady: Bool { !isFull || readers == 0 }

  /// Writes up to `count` bytes (more than zero). `copy(destination, sourceOffset, length)`
  /// copies `length` bytes of the caller's buffer from `sourceOffset` into the pipe and
  /// answers false when they could not be read (a user-memory fault). `merging` is true on
  /// a call's first attempt only (Linux appends the remainder to the last page once, before
  /// its loop).
  public mutating func write(
    count: Int, merging: Bool = true,
    copy: (UnsafeMutableRawPointer, Int, Int) -> Bool
  ) -> PipeTransfer {
    guard readers > 0 else { return .noReaders }
    var done = 0
    let remainder = count % Self.pageSize
    if merging, remainder != 0, !isEmpty, var last = slots[(head - 1) % Self.slotCount] {
      let end = last.offset + last.length
      if end + remainder <= Self.pageSize {
        guard copy(last.page + end, 0, remainder) else { return .faulted }
        last.length += remainder
        slots[(head - 1) % Self.slotCount] = last
        byteCount += remainder
        done = remainder
      }
    }
    while done < count, !isFull {
      guard let page = spare ?? pages.allocatePage() else {
        return done > 0 ? .transferred(done) : .outOfMemory
      }
      spare = nil
      let length = min(Self.pageSize, count - done)
      guard copy(page, done, length) else {
        spare = page
        return done > 0 ? .transferred(done) : .faulted
      }
      slots[head % Self.slotCount] = Slot(page: page, offset: 0, length: length)
      head += 1
      byteCount += length
      done += length
    }
    return done > 0 ? .transferred(done) : .mustWait
  }

  /// Reads up to `count` bytes (more than zero). `copy(source, destinationOffset, length)`
  /// copies `length` bytes out of the pipe to the caller's buffer at `destinationOffset` and
  /// answers false on a fault (the bytes stay in the pipe).
  public mutating func read(count: Int, copy: (UnsafeRawPointer, Int, Int) -> Bool)
    -> PipeTransfer
  {
    guard !isEmpty else { return writers == 0 ? .transferred(0) : .mustWait }
    var done = 0
    while done < count, !isEmpty {
      var slot = slots[tail % Self.slotCount]!
      let length = min(slot.length, count - done)
      guard copy(UnsafeRawPointer(slot.page + slot.offset), done, length) else {
        return done > 0 ? .transferred(done) : .faulted
      }
      slot.offset += length
      slot.length -= length
      byteCount -= length
      done += length
      if slot.length == 0 {
        slots[tail % Self.slotCount] = nil
        tail += 1
        keepOrRelease(slot.page)
      } else {
        slots[tail % Self.slotCount] = slot
      }
    }
    return .transferred(done)
  }

  /// An end was duplicated into a new open file (another `pipe` end, fork's copy is the same
  /// file and does not count).
  public mutating func openReader() { readers += 1 }
  public mutating func openWriter() { writers += 1 }

  /// The last descriptor of a read end closed.
  public mutating func closeReader() {
    precondition(readers > 0, "pipe read end closed twice")
    readers -= 1
    releaseIfClosed()
  }

  /// The last descriptor of a write end closed.
  public mutating func closeWriter() {
    precondition(writers > 0, "pipe write end closed twice")
    writers -= 1
    releaseIfClosed()
  }

  /// Both sides gone: nobody can read what is left, every page goes back.
  private mutating func releaseIfClosed() {
    guard readers == 0, writers == 0 else { return }
    while !isEmpty {
      let slot = slots[tail % Self.slotCount]!
      slots[tail % Self.slotCount] = nil
      tail += 1
      pages.releasePage(slot.page)
    }
    byteCount = 0
    if let page = spare {
      spare = nil
      pages.releasePage(page)
    }
  }

  private mutating func keepOrRelease(_ page: UnsafeMutableRawPointer) {
    if spare == nil {
      spare = page
    } else {
      pages.releasePage(page)
    }
  }
}
