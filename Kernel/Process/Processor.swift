import KernelSupport

/// One CPU's own state: the process it runs and the address space loaded in its CR3 (xv6's
/// `struct cpu`). The page trap asks `Processor.current.space` about a fault; system calls act
/// on `Processor.current.process`.
///
/// One CPU today, reached through `bootProcessor`. A second one needs no new globals:
/// `bootProcessor` becomes an array of `Processor`s created at boot (one per local APIC ID
/// from the ACPI MADT), and `current` reads this CPU's own pointer, kept in IA32_GS_BASE
/// while in the kernel (`swapgs` on entry), instead of the boot one. Per CPU then:
/// - `process`, `thread`, `idleThread`, `space` and `taskState` (as here; never touched by
///   another CPU),
///   and the SYSCALL entry's words (`boot_processor_entry`, process_entry.S);
/// - later, a frame cache in front of the bitmap and a TLB-shootdown mailbox (a request
///   queue another CPU fills, under the mailbox's lock, before sending an IPI).
/// Shared, and needing a lock: the process table and run queue (the scheduler lock), each
/// address space (its own lock: two CPUs running threads of one process), and the physical
/// context's fields (`PhysicalMemoryContext` names them).
final class Processor {
  /// The process whose code this CPU runs, or nil between programs.
  var process: UserProcess?
  /// The thread running on this CPU (`Scheduler.switchTo` changes it).
  var thread: KernelThread
  /// This CPU's idle thread: the boot stack's context, which runs the scheduler's idle loop.
  let idleThread: KernelThread
  /// The address space loaded in CR3: a process's, or the kernel's own.
  private(set) var space: ProcessAddressSpace
  /// This CPU's task-state segment (`GlobalDescriptorTable.install`): its RSP0 is the running
  /// thread's kernel stack (`GlobalDescriptorTable.setKernelStack`), its IST the fault stacks.
  let taskState: UnsafeMutableRawPointer

  /// A CPU that runs `space` (already in CR3) with `taskState` loaded in its task register.
  init(running space: ProcessAddressSpace, taskState: UnsafeMutableRawPointer) {
    self.space = space
    self.taskState = taskState
    idleThread = KernelThread(idle: ())
    thread = idleThread
  }

  /// Loads `space` into CR3 and records it as this CPU's current space — one operation, so
  /// the page trap can never ask a space other than the one the CPU walks.
  func activate(_ space: ProcessAddressSpace) {
    page_table_root_write(space.pageMap.root.address.value)
    self.space = space
  }

  /// The boot CPU, once memory management is up (nil before: a fault then is a panic).
  nonisolated(unsafe) static var bootProcessor: Processor? = nil

  /// The CPU this code runs on.
  @inline(__always)
  static var current: Processor { bootProcessor! }
}
