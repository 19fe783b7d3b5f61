import Testing

@testable import LinuxABI

/// A stand-in for the kernel's per-wait record.
private final class Sleeper {
  let name: String
  init(_ name: String) { self.name = name }
}

private func key(_ offset: UInt64, kind: FutexKey.Kind = .private, domain: UInt64 = 1)
  -> FutexKey
{
  FutexKey(kind: kind, domain: domain, offset: offset)
}

@Suite struct FutexTableTests {
  @Test func wakesInArrivalOrderUpToTheCount() {
    var table = FutexTable<Sleeper>(limit: 8)
    let sleepers = (0..<4).map { Sleeper("s\($0)") }
    for sleeper in sleepers {
      let queued = table.enqueue(sleeper, on: key(16), bitset: ~0)
      #expect(queued)
    }
    let woken = table.take(from: key(16), upTo: 3, matching: ~0)
    #expect(woken.map(\.name) == ["s0", "s1", "s2"])
    #expect(table.count == 1)
    let rest = table.take(from: key(16), upTo: 3, matching: ~0)
    #expect(rest.map(\.name) == ["s3"])
    #expect(table.keyCount == 0)
  }

  @Test func keysAreDistinctByKindDomainAndOffset() {
    var table = FutexTable<Sleeper>(limit: 8)
    _ = table.enqueue(Sleeper("a"), on: key(16), bitset: ~0)
    _ = table.enqueue(Sleeper("b"), on: key(16, domain: 2), bitset: ~0)
    _ = table.enqueue(Sleeper("c"), on: key(16, kind: .shared, domain: 0), bitset: ~0)
    #expect(table.keyCount == 3)
    let other = table.take(from: key(16, domain: 2), upTo: 5, matching: ~0)
    #expect(other.map(\.name) == ["b"])
    let none = table.take(from: key(20), upTo: 5, matching: ~0)
    #expect(none.isEmpty)
    #expect(table.count == 2)
  }

  @Test func bitsetsSelectWaiters() {
    var table = FutexTable<Sleeper>(limit: 8)
    for bits in [1, 2, 4, 8] {
      _ = table.enqueue(Sleeper("b\(bits)"), on: key(0), bitset: UInt32(bits))
    }
    let woken = table.take(from: key(0), upTo: 10, matching: 2 | 8)
    #expect(woken.map(\.name) == ["b2", "b8"])
    #expect(table.waiters(of: key(0)).map(\.waiter.name) == ["b1", "b4"])
  }

  @Test func requeueMovesTheOldestToTheEndOfTheTarget() {
    var table = FutexTable<Sleeper>(limit: 8)
    _ = table.enqueue(Sleeper("old"), on: key(8), bitset: ~0)
    for name in ["a", "b", "c"] { _ = table.enqueue(Sleeper(name), on: key(4), bitset: ~0) }
    let moved = table.move(from: key(4), to: key(8), upTo: 2)
    #expect(moved.map(\.name) == ["a", "b"])
    #expect(table.waiters(of: key(8)).map(\.waiter.name) == ["old", "a", "b"])
    #expect(table.waiters(of: key(4)).map(\.waiter.name) == ["c"])
    #expect(table.count == 4)
  }

  @Test func removeTakesOneWaiterOnlyOnce() {
    var table = FutexTable<Sleeper>(limit: 8)
    let a = Sleeper("a")
    _ = table.enqueue(a, on: key(4), bitset: ~0)
    let first = table.remove(a, from: key(4))
    let second = table.remove(a, from: key(4))
    #expect(first && !second)
    #expect(table.count == 0 && table.keyCount == 0)
  }

  @Test func theLimitRefusesMoreWaiters() {
    var table = FutexTable<Sleeper>(limit: 2)
    let one = table.enqueue(Sleeper("1"), on: key(4), bitset: ~0)
    let two = table.enqueue(Sleeper("2"), on: key(8), bitset: ~0)
    let three = table.enqueue(Sleeper("3"), on: key(12), bitset: ~0)
    #expect(one && two && !three)
  }

  @Test func takingHandsEachWaiterOutInArrivalOrderAcrossInterleavedKeys() {
    var table = FutexTable<Sleeper>(limit: 16)
    for (index, offset) in [UInt64(8), 4, 8, 12, 4, 8].enumerated() {
      _ = table.enqueue(Sleeper("\(offset).\(index)"), on: key(offset), bitset: index == 2 ? 2 : 1)
    }
    var handed: [String] = []
    let count = table.take(from: key(8), upTo: 5, matching: 1) { handed.append($0.name) }
    #expect(count == 2 && handed == ["8.0", "8.5"])
    #expect(table.waiters(of: key(8)).map(\.waiter.name) == ["8.2"])
    #expect(table.waiters(of: key(4)).map(\.waiter.name) == ["4.1", "4.4"])
    #expect(table.waiterCount(of: key(12)) == 1 && table.count == 4 && table.keyCount == 3)
    let sleeper = table.waiters(of: key(4))[1].waiter
    let removed = table.remove(sleeper, from: key(4))
    #expect(removed)
    let again = Sleeper("4.6")
    _ = table.enqueue(again, on: key(4), bitset: 1)
    #expect(table.waiters(of: key(4)).map(\.waiter.name) == ["4.1", "4.6"])
  }

  @Test func manyKeysStaySorted() {
    var table = FutexTable<Sleeper>(limit: 1000)
    for offset in stride(from: UInt64(996), through: 0, by: -4) {
      _ = table.enqueue(Sleeper(String(offset)), on: key(offset), bitset: ~0)
    }
    for offset in stride(from: UInt64(0), to: 1000, by: 4) {
      let woken = table.take(from: key(offset), upTo: 1, matching: ~0)
      #expect(woken.map(\.name) == [String(offset)])
    }
    #expect(table.count == 0)
  }
}

@Suite struct FutexOperationTests {
  @Test func decodesCommandsAndFlags() throws {
    let wait = try FutexOperation(FutexOperation.FUTEX_PRIVATE_FLAG | 0)
    #expect(wait.command == .wait && wait.isPrivate && !wait.realtimeClock)
    #expect(wait.hasTimeout && wait.relativeTimeout)
    let bitset = try FutexOperation(9 | FutexOperation.FUTEX_CLOCK_REALTIME)
    #expect(bitset.command == .waitBitset && !bitset.isPrivate && bitset.realtimeClock)
    #expect(bitset.hasTimeout && !bitset.relativeTimeout)
    #expect(!(try FutexOperation(4)).hasTimeout)  // CMP_REQUEUE: the argument is a count
  }

  @Test func refusesAsLinuxDoes() {
    #expect(throws: LinuxErrno.ENOSYS) { try FutexOperation(99) }
    #expect(throws: LinuxErrno.ENOSYS) {
      try FutexOperation(1 | FutexOperation.FUTEX_CLOCK_REALTIME)
    }
    #expect(throws: LinuxErrno.ENOSYS) { try FutexOperation(14) }
  }

  @Test func countsFollowLinux() throws {
    #expect(FutexCounts.wakeLimit(0) == 1)
    #expect(FutexCounts.wakeLimit(UInt32(bitPattern: -5)) == 1)
    #expect(FutexCounts.wakeLimit(0x7fff_ffff) == 0x7fff_ffff)
    #expect(try FutexCounts.requeueLimits(wake: 0, requeue: 0) == (0, 0))
    #expect(try FutexCounts.requeueLimits(wake: 1, requeue: 0x1_0000_0002) == (1, 2))
    #expect(throws: LinuxErrno.EINVAL) {
      try FutexCounts.requeueLimits(wake: UInt32(bitPattern: -1), requeue: 0)
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try FutexCounts.requeueLimits(wake: 0, requeue: 0xffff_ffff)
    }
  }
}
