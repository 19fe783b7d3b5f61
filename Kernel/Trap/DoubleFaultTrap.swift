import KernelSupport

/// Vector 8, running on its own IST stack. The usual cause in this kernel is a stack overflow:
/// the boot stack or a thread's kernel stack (`KernelStackArea`) runs into its unmapped guard
/// page, the page fault cannot push its frame onto that same stack, and the CPU escalates to a
/// double fault — which still has a good stack.
enum DoubleFaultTrap {
  static func handle(_ frame: UnsafeMutablePointer<TrapFrame>) -> Never {
    let layout = kernel_image_layout_get()
    let lastFault = page_fault_address_read()
    let guardPage = layout.stack_guard..<layout.stack_bottom
    let threadGuard =
      KernelStackArea.isGuard(lastFault) || KernelStackArea.isGuard(frame.pointee.rsp)
    let overflow =
      guardPage.contains(lastFault) || guardPage.contains(frame.pointee.rsp) || threadGuard
    let title =
      overflow
      ? "kernel stack overflow: double fault after touching the stack guard page"
      : "double fault"
    Panic.report(title) {
      print(
        "  guard page " + hexPadded(guardPage.lowerBound) + ".." + hexPadded(guardPage.upperBound)
          + ", stack " + hexPadded(layout.stack_bottom) + ".." + hexPadded(layout.stack_top))
      if threadGuard {
        print(
          "  a thread's kernel stack (the kernel stack area at "
            + hexPadded(KernelStackArea.base) + ", " + String(KernelStackArea.slotBytes / 1024)
            + " KiB slots, guard page first)")
      }
      print("  last page-fault address (CR2): " + hexPadded(lastFault))
      print(
        "  handled on the IST" + String(GlobalDescriptorTable.doubleFaultStackIndex)
          + " double-fault stack; interrupted RSP " + hexPadded(frame.pointee.rsp))
      Panic.printState(frame)
      PageTableWalk.print(lastFault)
    }
  }
}
