import KernelSupport

/// `test=thread-stack-overflow`: proves a thread's kernel stack has its guard. Takes a stack
/// from the kernel stack area as a new thread would, moves onto it and recurses until the
/// guard page below it faults; the double-fault handler (its own IST stack) must report a
/// kernel stack overflow in the stack area.
enum KernelStackOverflow {
  static func provoke() -> Never {
    ProcessRunner.prepare()  // the stack area's tables and the commit limit a stack is charged to
    guard let stack = Scheduler.shared.stacks.allocate() else {
      Panic.halt("test=thread-stack-overflow: no kernel stack")
    }
    print(
      "test=thread-stack-overflow: recursing on a thread's kernel stack until its guard page at "
        + hexPadded(stack.bottom - KernelStackArea.guardPages * PageSize.size4KiB.bytes))
    kernel_stack_overflow_provoke(stack.top)
  }
}
