import LinuxABI
import Testing

/// The split virtqueue's bookkeeping against a device played by the test: it reads the
/// available ring and descriptors the way a device does (Virtio 1.1 §2.6) and answers through
/// the used ring.
@Suite struct SplitVirtqueueTests {
  /// The device's side over the same memory.
  struct FakeDevice {
    let memory: UnsafeMutableRawPointer
    let layout: VirtqueueLayout
    var lastAvailable: UInt16 = 0
    var usedIndex: UInt16 = 0

    /// Heads offered and not yet taken, with each chain's buffers.
    mutating func takeOffered() -> [(UInt16, [VirtqueueBuffer])] {
      var chains: [(UInt16, [VirtqueueBuffer])] = []
      let available = memory.load(fromByteOffset: layout.availableRingOffset + 2, as: UInt16.self)
      while lastAvailable != available {
        let slot = Int(lastAvailable) & (layout.queueSize - 1)
        let head = memory.load(fromByteOffset: layout.availableRingOffset + 4 + 2 * slot, as: UInt16.self)
        chains.append((head, chain(head)))
        lastAvailable &+= 1
      }
      return chains
    }

    func chain(_ head: UInt16) -> [VirtqueueBuffer] {
      var buffers: [VirtqueueBuffer] = []
      var index = head
      while true {
        let offset = 16 * Int(index)
        let flags = memory.load(fromByteOffset: offset + 12, as: UInt16.self)
        buffers.append(
          VirtqueueBuffer(
            address: memory.load(fromByteOffset: offset, as: UInt64.self),
            length: memory.load(fromByteOffset: offset + 8, as: UInt32.self),
            deviceWrites: flags & SplitVirtqueue.descriptorWrite != 0))
        guard flags & SplitVirtqueue.descriptorNext != 0 else { return buffers }
        index = memory.load(fromByteOffset: offset + 14, as: UInt16.self)
      }
    }

    mutating func complete(_ head: UInt16, written: UInt32) {
      let slot = Int(usedIndex) & (layout.queueSize - 1)
      let entry = layout.usedRingOffset + 4 + 8 * slot
      memory.storeBytes(of: UInt32(head), toByteOffset: entry, as: UInt32.self)
      memory.storeBytes(of: written, toByteOffset: entry + 4, as: UInt32.self)
      usedIndex &+= 1
      memory.storeBytes(of: usedIndex, toByteOffset: layout.usedRingOffset + 2, as: UInt16.self)
    }
  }

  func withQueue(size: Int, _ body: (inout SplitVirtqueue, inout FakeDevice) -> Void) {
    let layout = VirtqueueLayout(queueSize: size)!
    let memory = UnsafeMutableRawPointer.allocate(
      byteCount: layout.totalBytes, alignment: VirtqueueLayout.legacyAlignment)
    defer { memory.deallocate() }
    memory.initializeMemory(as: UInt8.self, repeating: 0, count: layout.totalBytes)
    var queue = SplitVirtqueue(layout: layout, memory: memory)
    var device = FakeDevice(memory: memory, layout: layout)
    body(&queue, &device)
  }

  @Test func legacyLayoutOfQEMUsQueueOf256() {
    let layout = VirtqueueLayout(queueSize: 256)!
    #expect(layout.availableRingOffset == 4096)
    #expect(layout.usedRingOffset == 8192)
    #expect(layout.totalBytes == 8192 + 6 + 8 * 256)
    #expect(layout.pages == 3)
    #expect(VirtqueueLayout(queueSize: 100) == nil)
    #expect(VirtqueueLayout(queueSize: 0) == nil)
    #expect(VirtqueueLayout(queueSize: 65536) == nil)
  }

  @Test func aChainReachesTheDeviceOnlyWhenPublished() {
    withQueue(size: 8) { queue, device in
      let buffers = [
        VirtqueueBuffer(address: 0x1000, length: 16, deviceWrites: false),
        VirtqueueBuffer(address: 0x2000, length: 8192, deviceWrites: true),
        VirtqueueBuffer(address: 0x3000, length: 1, deviceWrites: true),
      ]
      let head = queue.add(buffers)!
      #expect(queue.freeCount == 5)
      #expect(device.takeOffered().isEmpty)
      queue.publish()
      let offered = device.takeOffered()
      #expect(offered.count == 1)
      #expect(offered[0].0 == head)
      #expect(offered[0].1 == buffers)
    }
  }

  @Test func fullQueueRefusesUntilACompletionFreesDescriptors() {
    withQueue(size: 4) { queue, device in
      let two = [
        VirtqueueBuffer(address: 0, length: 1, deviceWrites: false),
        VirtqueueBuffer(address: 1, length: 1, deviceWrites: true),
      ]
      let first = queue.add(two)!
      _ = queue.add(two)!
      #expect(queue.add(two) == nil)
      #expect(queue.add([two[0]]) == nil)
      queue.publish()
      _ = device.takeOffered()
      device.complete(first, written: 1)
      #expect(queue.pendingCompletions(deviceIndex: queue.deviceUsedIndex) == 1)
      #expect(queue.takeUsed(deviceIndex: queue.deviceUsedIndex) == VirtqueueCompletion(head: first, writtenLength: 1))
      #expect(queue.takeUsed(deviceIndex: queue.deviceUsedIndex) == nil)
      #expect(queue.freeCount == 2)
      #expect(queue.add(two) != nil)
    }
  }

  /// More than 65536 requests through a queue of 8, completed out of order: the 16-bit
  /// indices wrap, no descriptor is lost or handed out twice.
  @Test func indicesWrapAndDescriptorsAreNeverLost() {
    withQueue(size: 8) { queue, device in
      var inFlight: [UInt16: (request: UInt64, length: Int)] = [:]
      var completed: UInt64 = 0
      for request in 0..<UInt64(70_000) {
        let length = Int(request % 3) + 1
        let buffers = (0..<length).map {
          VirtqueueBuffer(address: request << 8 | UInt64($0), length: 4096, deviceWrites: $0 == length - 1)
        }
        var head = queue.add(buffers)
        while head == nil {
          // The device answers everything offered, in reverse order.
          let offered = device.takeOffered()
          for (offeredHead, chain) in offered.reversed() {
            #expect(inFlight[offeredHead]?.request == chain[0].address >> 8)
            #expect(chain.count == inFlight[offeredHead]?.length)
            device.complete(offeredHead, written: UInt32(chain.count))
          }
          let index = queue.deviceUsedIndex
          while let done = queue.takeUsed(deviceIndex: index) {
            #expect(inFlight.removeValue(forKey: done.head) != nil)
            completed += 1
          }
          head = queue.add(buffers)
        }
        queue.publish()
        #expect(inFlight[head!] == nil)
        inFlight[head!] = (request, length)
        #expect(queue.freeCount + inFlight.values.reduce(0) { $0 + $1.length } == 8)
      }
      #expect(completed > 65536)
    }
  }
}

/// A virtio-blk request's chain: header, data runs of contiguous pages, status.
@Suite struct VirtioBlockRequestTests {
  @Test func contiguousPagesShareADescriptor() {
    let chain = VirtioBlockRequest.buffers(
      header: 0x100, status: 0x200, pages: [0x1000, 0x2000, 0x3000, 0x7000, 0x9000, 0xa000],
      deviceWrites: true)
    #expect(
      chain == [
        VirtqueueBuffer(address: 0x100, length: 16, deviceWrites: false),
        VirtqueueBuffer(address: 0x1000, length: 3 * 4096, deviceWrites: true),
        VirtqueueBuffer(address: 0x7000, length: 4096, deviceWrites: true),
        VirtqueueBuffer(address: 0x9000, length: 2 * 4096, deviceWrites: true),
        VirtqueueBuffer(address: 0x200, length: 1, deviceWrites: true),
      ])
    #expect(VirtioBlockRequest.segmentCount([0x1000, 0x2000, 0x3000, 0x7000]) == 2)
  }

  @Test func aWriteLetsTheDeviceWriteOnlyTheStatus() {
    let chain = VirtioBlockRequest.buffers(header: 0, status: 64, pages: [0x4000], deviceWrites: false)
    #expect(chain.map(\.deviceWrites) == [false, false, true])
  }

  @Test func headerLayout() {
    var bytes = [UInt8](repeating: 0xee, count: 16)
    bytes.withUnsafeMutableBytes {
      VirtioBlockRequest.writeHeader($0.baseAddress!, type: VirtioBlockRequest.typeOut, sector: 0x0102_0304)
    }
    #expect(bytes == [1, 0, 0, 0, 0, 0, 0, 0, 4, 3, 2, 1, 0, 0, 0, 0])
  }
}
