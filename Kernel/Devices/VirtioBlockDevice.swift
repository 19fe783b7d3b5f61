import KernelSupport

/// Which way a transfer moves pages: disk to memory or memory to disk.
enum TransferDirection { case read, write }

/// Why a virtio-blk function could not be set up (the boot line says which).
enum VirtioSetupError: Error {
  case noIOPorts
  case noMSIX
  case noQueue
  case badQueueSize(UInt16)
  case noMemoryForQueue
  case vectorRefused

  var reason: String {
    switch self {
    case .noIOPorts: return "BAR0 (legacy I/O ports) not assigned"
    case .noMSIX: return "no MSI-X capability with a memory BAR"
    case .noQueue: return "queue 0 has size 0"
    case .badQueueSize(let size): return "queue size " + String(size) + " is not a power of two"
    case .noMemoryForQueue: return "no contiguous frames for the queue"
    case .vectorRefused: return "the device refused the MSI-X vector (VIRTIO_MSI_NO_VECTOR)"
    }
  }
}

/// A virtio-blk disk through virtio's **legacy** PCI interface (Virtio 1.1 §4.1.4.8: registers
/// in the I/O ports of BAR0), with one request queue and completion by MSI-X interrupt.
///
/// Why legacy: QEMU's `virtio-blk-pci` is a transitional device on the `pc` machine's PCI bus,
/// offering both interfaces; the legacy one is eight port registers, where the modern one needs
/// four vendor capabilities parsed and their memory BARs mapped — more hardware surface for the
/// same queue. Linux 6.1 drives the same device through its modern interface (its
/// `virtio_pci_modern`); the disk contents are the same.
///
/// Requests: a chain of header, data (contiguous frames merged into one descriptor) and status
/// (`VirtioBlockRequest`), put on the available ring and announced with a write to the queue's
/// notify register. The device answers through the used ring and an MSI-X message on
/// `InterruptVector.blockDevice`; `interrupt` records each finished request's status and wakes
/// the waiters. A status other than OK is handed to the request's owner; the queue goes on.
///
/// Waiting for a request (`awaitCompletion`), in order of preference:
/// 1. a process thread sleeps on `waiters` (other threads run; the CPU idles in `hlt` if none),
///    with a watchdog deadline that only prints a line if the device is late;
/// 2. without a process (a `test=` mode; a thread whose process is being killed, which cannot
///    sleep) but with the local APIC enabled (`EventTimer.local`): the CPU halts with
///    interrupts on until the completion interrupt;
/// 3. at boot, before the local APIC is enabled (`SwapDisk.discover` reading the header): the
///    used ring is polled — the only busy wait, one request long.
///
/// LOCK: the disk's queue lock guards `queue`, `finished`, `statuses` and `waiters` (taken by
/// submitters and by the interrupt handler, with interrupts masked).
final class VirtioBlockDevice {
  /// PCI vendor 0x1AF4 (Red Hat, virtio); transitional block device 0x1001 (§4.1.2.1). A
  /// modern-only one (`disable-legacy=on`) is 0x1042.
  static let vendorID: UInt16 = 0x1af4
  static let transitionalBlockDeviceID: UInt16 = 0x1001
  static let modernBlockDeviceID: UInt16 = 0x1042

  /// Legacy registers, offsets from BAR0's first port (§4.1.4.8).
  enum Register: UInt16 {
    case deviceFeatures = 0x00  // u32
    case driverFeatures = 0x04  // u32
    case queueAddress = 0x08  // u32: the queue's page frame number
    case queueSize = 0x0c  // u16
    case queueSelect = 0x0e  // u16
    case queueNotify = 0x10  // u16
    case deviceStatus = 0x12  // u8
    case interruptStatus = 0x13  // u8
    case configurationVector = 0x14  // u16, with MSI-X enabled
    case queueVector = 0x16  // u16, with MSI-X enabled
  }
  /// With MSI-X enabled the device-specific configuration starts after the two vector
  /// registers (`VIRTIO_PCI_CONFIG_OFF(1)`).
  static let deviceConfigurationOffset: UInt16 = 0x18
  /// virtio-blk configuration: capacity (u64, sectors) at 0, seg_max (u32) at 12.
  static let capacityOffset: UInt16 = 0
  static let segmentLimitOffset: UInt16 = 12
  /// Device status bits (§2.1): ACKNOWLEDGE, DRIVER, DRIVER_OK, FAILED.
  static let statusAcknowledge: UInt8 = 1
  static let statusDriver: UInt8 = 2
  static let statusDriverOK: UInt8 = 4
  static let statusFailed: UInt8 = 128
  /// Feature bits (§5.2.3): VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_RO.
  static let featureSegmentLimit: UInt32 = 1 << 2
  static let featureReadOnly: UInt32 = 1 << 5
  /// `VIRTIO_MSI_NO_VECTOR`: no interrupt for this source.
  static let noVector: UInt16 = 0xffff
  /// The one queue (`requestq`) and its MSI-X table entry.
  static let requestQueue: UInt16 = 0
  static let queueTableEntry = 0
  /// Bytes of DMA memory each possible request (one per head descriptor) keeps: its 16-byte
  /// header; the status bytes follow all headers.
  static let headerStride = VirtioBlockRequest.headerSize
  /// How long a request may take before one line says the device is late (it is still waited
  /// for: its frames belong to the device until it answers).
  static let watchdogNanoseconds: UInt64 = 5_000_000_000
  /// The most pages one request carries: 32 pages = 128 KiB, the size of a swap-out batch of
  /// neighbouring slots (Linux bounds its requests the same way, by the queue's
  /// `max_sectors`).
  static let framesPerRequest = 32

  let function: PCIFunction
  let ioBase: UInt16
  let interrupts: MessageSignaledInterrupts
  /// The local APIC the MSI-X message goes to, for the end-of-interrupt write.
  let apic: LocalAPIC
  var queue: SplitVirtqueue
  /// The queue's and the request area's frames: queue pages, then header and status pages.
  let firstFrame: PhysicalFrame
  let requestArea: UInt64
  let capacitySectors: UInt64
  /// Data descriptors one request may have (the device's seg_max, or 1 if it gave none).
  let segmentLimit: Int
  let readOnly: Bool
  /// Per head descriptor: whether the device finished that request, and its status then.
  var finished: [Bool]
  var statuses: [UInt8]
  let waiters = WaitQueue()
  var statistics = DiskStatistics()

  /// The request area: queueSize headers, then queueSize status bytes.
  var requestAreaPhysical: UInt64 { firstFrame.address.value + UInt64(queue.layout.pages) << 12 }

  private init(
    function: PCIFunction, ioBase: UInt16, interrupts: MessageSignaledInterrupts,
    apic: LocalAPIC, queue: SplitVirtqueue, firstFrame: PhysicalFrame, requestArea: UInt64,
    features: UInt32
  ) {
    self.function = function
    self.ioBase = ioBase
    self.interrupts = interrupts
    self.apic = apic
    self.queue = queue
    self.firstFrame = firstFrame
    self.requestArea = requestArea
    let low = port_read_dword(ioBase + Self.deviceConfigurationOffset + Self.capacityOffset)
    let high = port_read_dword(ioBase + Self.deviceConfigurationOffset + Self.capacityOffset + 4)
    capacitySectors = UInt64(high) << 32 | UInt64(low)
    let limit =
      features & Self.featureSegmentLimit != 0
      ? Int(port_read_dword(ioBase + Self.deviceConfigurationOffset + Self.segmentLimitOffset))
      : 1
    segmentLimit = max(1, min(limit, queue.layout.queueSize - 2))
    readOnly = features & Self.featureReadOnly != 0
    finished = [Bool](repeating: false, count: queue.layout.queueSize)
    statuses = [UInt8](repeating: 0, count: queue.layout.queueSize)
  }

  /// Resets and sets up `function` (a virtio-blk transitional device): features, the request
  /// queue in fresh contiguous frames, MSI-X entry 0 on `InterruptVector.blockDevice`.
  static func start(_ function: PCIFunction) throws(VirtioSetupError) -> VirtioBlockDevice {
    guard case .ioPorts(let ioBase) = function.baseAddress(0) else { throw .noIOPorts }
    function.enable(
      PCIConfiguration.ioSpaceEnable | PCIConfiguration.memorySpaceEnable
        | PCIConfiguration.busMasterEnable | PCIConfiguration.interruptDisable)
    port_write_byte(ioBase + Register.deviceStatus.rawValue, 0)  // reset
    port_write_byte(ioBase + Register.deviceStatus.rawValue, statusAcknowledge)
    port_write_byte(ioBase + Register.deviceStatus.rawValue, statusAcknowledge | statusDriver)
    do {
      return try configure(function, ioBase: ioBase)
    } catch {
      port_write_byte(ioBase + Register.deviceStatus.rawValue, statusFailed)
      throw error
    }
  }

  private static func configure(_ function: PCIFunction, ioBase: UInt16) throws(VirtioSetupError)
    -> VirtioBlockDevice
  {
    let offered = port_read_dword(ioBase + Register.deviceFeatures.rawValue)
    let accepted = offered & (featureSegmentLimit | featureReadOnly)
    port_write_dword(ioBase + Register.driverFeatures.rawValue, accepted)
    guard let interrupts = MessageSignaledInterrupts.locate(function),
      let apic = LocalAPIC.locate()
    else { throw .noMSIX }
    let destination = apic.read(.identifier) >> 24
    interrupts.route(entry: queueTableEntry, to: InterruptVector.blockDevice, destination: destination)
    port_write_word(ioBase + Register.configurationVector.rawValue, noVector)
    port_write_word(ioBase + Register.queueSelect.rawValue, requestQueue)
    let size = port_read_word(ioBase + Register.queueSize.rawValue)
    guard size != 0 else { throw .noQueue }
    guard let layout = VirtqueueLayout(queueSize: Int(size)) else { throw .badQueueSize(size) }
    let requestBytes = layout.queueSize * (headerStride + 1)
    let requestPages = (requestBytes + VirtqueueLayout.legacyAlignment - 1) / VirtqueueLayout.legacyAlignment
    let frameCount = UInt64(layout.pages + requestPages)
    let first: PhysicalFrame
    do {
      first = try MemoryManager.bitmap!.allocateContiguous(count: frameCount)
    } catch {
      throw .noMemoryForQueue
    }
    let memory = DirectMap.pointer(first.address)
    memory_zero_quadwords(memory, Int(frameCount * PageSize.size4KiB.bytes) / MemoryLayout<UInt64>.size)
    let queue = SplitVirtqueue(layout: layout, memory: memory)
    port_write_dword(ioBase + Register.queueAddress.rawValue, UInt32(first.number))
    port_write_word(ioBase + Register.queueVector.rawValue, UInt16(queueTableEntry))
    guard port_read_word(ioBase + Register.queueVector.rawValue) == UInt16(queueTableEntry) else {
      throw .vectorRefused
    }
    let device = VirtioBlockDevice(
      function: function, ioBase: ioBase, interrupts: interrupts, apic: apic, queue: queue,
      firstFrame: first,
      requestArea: DirectMap.virtualAddress(first.address.value + UInt64(layout.pages) << 12),
      features: accepted)
    port_write_byte(
      ioBase + Register.deviceStatus.rawValue, statusAcknowledge | statusDriver | statusDriverOK)
    return device
  }

  /// Moves `frames` from/to the disk starting at `firstSector`, in requests of up to
  /// `framesPerRequest` pages (the device's seg_max permitting), all submitted before the
  /// first is waited for. Every request is waited for even after an error (the device owns
  /// the frames until it answers); returns the first status other than OK, or nil. No range
  /// checks: `SwapDisk.transfer` makes them (the self-test provokes a device error past the
  /// disk's end through here).
  func transfer(_ direction: TransferDirection, firstSector: UInt64, frames: [PhysicalFrame])
    -> UInt8?
  {
    var failure: UInt8? = nil
    var outstanding: [UInt16] = []
    var next = 0
    while next < frames.count || !outstanding.isEmpty {
      if next < frames.count {
        let count = min(Self.framesPerRequest, frames.count - next, segmentLimit)
        let pages = frames[next..<(next + count)].map { $0.address.value }
        let sector = firstSector + UInt64(next) * VirtioBlockRequest.sectorsPerPage
        if let head = submit(direction, sector: sector, pages: pages) {
          outstanding.append(head)
          next += count
          continue
        }
        // The queue is full: wait for our oldest request (or, with none, anyone's), then retry.
        if outstanding.isEmpty {
          awaitRoom()
          continue
        }
      }
      let status = awaitCompletion(outstanding.removeFirst())
      if status != VirtioBlockRequest.statusOK, failure == nil { failure = status }
    }
    return failure
  }

  /// Puts a request moving `pages` (physical addresses) from/to `sector` on the queue and
  /// tells the device; returns its head descriptor, or nil when the queue has no room (the
  /// caller waits for one of its requests, then retries).
  func submit(_ direction: TransferDirection, sector: UInt64, pages: [UInt64]) -> UInt16? {
    let needed = VirtioBlockRequest.segmentCount(pages) + 2
    guard needed <= queue.freeCount else { return nil }
    // The head is the free list's first descriptor: the header and status slots are its.
    let head = queue.nextFreeDescriptor
    let header = requestArea + UInt64(head) * UInt64(Self.headerStride)
    let statusOffset = UInt64(queue.layout.queueSize * Self.headerStride) + UInt64(head)
    VirtioBlockRequest.writeHeader(
      UnsafeMutableRawPointer(bitPattern: UInt(header))!,
      type: direction == .read ? VirtioBlockRequest.typeIn : VirtioBlockRequest.typeOut,
      sector: sector)
    UnsafeMutablePointer<UInt8>(bitPattern: UInt(requestArea + statusOffset))!.pointee = 0xff
    let chain = VirtioBlockRequest.buffers(
      header: requestAreaPhysical + UInt64(head) * UInt64(Self.headerStride),
      status: requestAreaPhysical + statusOffset, pages: pages, deviceWrites: direction == .read)
    guard let added = queue.add(chain) else { return nil }
    precondition(added == head, "virtqueue head moved")
    finished[Int(head)] = false
    compiler_memory_barrier()  // descriptors and ring entry before the index
    queue.publish()
    compiler_memory_barrier()  // the index before the notification
    port_write_word(ioBase + Register.queueNotify.rawValue, Self.requestQueue)
    statistics.requests += 1
    statistics.pages += UInt64(pages.count)
    return head
  }

  /// Takes every request the device finished from the used ring (interrupt handler and
  /// polled mode); returns whether any was.
  @discardableResult
  func collectCompletions() -> Bool {
    compiler_memory_barrier()
    let deviceIndex = queue.deviceUsedIndex
    compiler_memory_barrier()  // the index before the entries it covers
    var any = false
    while let completion = queue.takeUsed(deviceIndex: deviceIndex) {
      let head = Int(completion.head)
      let statusOffset = UInt64(queue.layout.queueSize * Self.headerStride) + UInt64(head)
      statuses[head] = UnsafePointer<UInt8>(bitPattern: UInt(requestArea + statusOffset))!.pointee
      finished[head] = true
      statistics.completions += 1
      any = true
    }
    return any
  }

  /// The completion interrupt (`InterruptVector.blockDevice`).
  func interrupt() {
    statistics.interrupts += 1
    if collectCompletions() { waiters.wakeAll() }
    apic.signalEndOfInterrupt()
  }

  /// Waits until request `head` finished and returns its status byte.
  func awaitCompletion(_ head: UInt16) -> UInt8 {
    waitUntil { finished[Int(head)] }
    return statuses[Int(head)]
  }

  /// Waits until the device finished some request (other threads' requests filled the queue).
  func awaitRoom() {
    let taken = statistics.completions
    waitUntil { statistics.completions != taken }
  }

  /// Waits until `done` (re-checked after every wake-up), the way the type's comment says.
  func waitUntil(_ done: () -> Bool) {
    var warned = false
    while !done() {
      if let process = Processor.current.thread.process, process.pendingKill == nil,
        EventTimer.local != nil
      {
        statistics.sleeps += 1
        let deadline = MonotonicClock.nanoseconds() + Self.watchdogNanoseconds
        if waiters.wait(until: deadline) == .timedOut, !warned, !done() {
          warned = true
          ProcessConsole.line("swap disk: a request is still unanswered after 5 s; waiting on")
        }
      } else if EventTimer.local != nil {
        statistics.halts += 1
        interrupts_enable_and_halt()
        interrupts_disable()
      } else {
        statistics.polls += 1
        collectCompletions()
      }
    }
  }
}

/// What the disk did, for the boot line and the self-test.
struct DiskStatistics {
  var requests: UInt64 = 0
  var completions: UInt64 = 0
  var pages: UInt64 = 0
  var interrupts: UInt64 = 0
  /// Waits by sleeping thread, by halting CPU, by polling the ring.
  var sleeps: UInt64 = 0
  var halts: UInt64 = 0
  var polls: UInt64 = 0
}
