import KernelSupport

/// Stopping the kernel with a diagnosis: the `KERNEL PANIC:` line, the details, then QEMU exits
/// with `ExitStatus.panic` (35). Tests and people grep for the first line.
enum Panic {
  /// Set while a panic report is being printed, so a fault inside the report cannot recurse.
  nonisolated(unsafe) static var inProgress = false

  /// Panics with `message` and no trap frame.
  static func halt(_ message: String) -> Never {
    begin()
    print("KERNEL PANIC: " + message)
    finish()
  }

  /// Panics with `title`, then the details `body` prints.
  static func report(_ title: String, _ body: () -> Void) -> Never {
    begin()
    print("KERNEL PANIC: " + title)
    body()
    finish()
  }

  /// Panics without allocating: for heap failures.
  static func haltWithoutHeap(_ message: StaticString) -> Never {
    begin()
    Console.write("KERNEL PANIC: ")
    Console.write(message)
    Console.write("\n")
    finish()
  }

  /// Panics for a CPU exception the kernel does not handle: its name, error code and state.
  static func exception(_ frame: UnsafeMutablePointer<TrapFrame>) -> Never {
    begin()
    let vector = Int(frame.pointee.vector)
    Console.write("KERNEL PANIC: unhandled CPU exception ")
    if let known = ExceptionVector(rawValue: vector) {
      Console.write(known.name)
    } else {
      Console.write("(reserved)")
    }
    print(" (vector " + String(vector) + ") in " + privilegeName(frame.pointee.cs))
    if ExceptionVector(rawValue: vector) == .generalProtection && frame.pointee.error_code != 0 {
      print(
        "  error code " + hex(frame.pointee.error_code) + ": selector index "
          + String(frame.pointee.error_code >> 3) + " (table bits "
          + String(frame.pointee.error_code & 7) + ")")
    } else {
      print("  error code " + hex(frame.pointee.error_code))
    }
    printState(frame)
    finish()
  }

  /// A trap while a panic report is printed: say so without allocating and stop.
  static func nestedTrap(_ frame: UnsafeMutablePointer<TrapFrame>) -> Never {
    Console.write("\nKERNEL PANIC: nested trap while panicking, vector ")
    Console.writeHex(frame.pointee.vector)
    Console.write(" at RIP ")
    Console.writeHex(frame.pointee.rip)
    Console.write(" CR2 ")
    Console.writeHex(page_fault_address_read())
    Console.write("\n")
    exitQEMU(.panic)
  }

  /// RIP with its symbol, every register and the control registers.
  static func printState(_ frame: UnsafeMutablePointer<TrapFrame>) {
    let f = frame.pointee
    print("  RIP " + hexPadded(f.rip) + " " + KernelSymbols.describe(f.rip))
    print("  handler stack: " + stackName(UInt64(UInt(bitPattern: frame))))
    print(
      "  RSP " + hexPadded(f.rsp) + "  RFLAGS " + hexPadded(f.rflags)
        + "  CS " + hex(f.cs) + "  SS " + hex(f.ss))
    print("  RAX " + hexPadded(f.rax) + "  RBX " + hexPadded(f.rbx) + "  RCX " + hexPadded(f.rcx))
    print("  RDX " + hexPadded(f.rdx) + "  RSI " + hexPadded(f.rsi) + "  RDI " + hexPadded(f.rdi))
    print("  RBP " + hexPadded(f.rbp) + "  R8  " + hexPadded(f.r8) + "  R9  " + hexPadded(f.r9))
    print("  R10 " + hexPadded(f.r10) + "  R11 " + hexPadded(f.r11) + "  R12 " + hexPadded(f.r12))
    print("  R13 " + hexPadded(f.r13) + "  R14 " + hexPadded(f.r14) + "  R15 " + hexPadded(f.r15))
    print(
      "  CR0 " + hexPadded(control_register_0_read()) + "  CR2 "
        + hexPadded(page_fault_address_read()) + "  CR3 " + hexPadded(page_table_root_read())
        + "  CR4 " + hexPadded(control_register_4_read()))
    printBacktrace(framePointer: f.rbp)
  }

  /// The most backtrace lines printed (runs of one repeated frame count once).
  static let backtraceLimit = 16

  /// The callers of the interrupted function, from the frame-pointer chain: each frame holds
  /// the caller's RBP at [RBP] and the return address at [RBP + 8]. Swift and C code here keep
  /// frame pointers; the walk stops at RBP 0 (set by the boot code), at a pointer outside the
  /// kernel's stacks, or when the chain does not go up the stack. Runs of the same return
  /// address (recursion) are folded into one line.
  static func printBacktrace(framePointer: UInt64) {
    print("  backtrace (frame pointers; the function at RIP itself is above):")
    var rbp = framePointer
    var lines = 0
    var depth = 0
    var previous: UInt64 = 0
    var repeats = 0
    while lines < backtraceLimit, rbp != 0, rbp & 7 == 0, isOnKernelStack(rbp),
      isOnKernelStack(rbp + 8)
    {
      let words = UnsafePointer<UInt64>(bitPattern: UInt(rbp))!
      let returnAddress = words[1]
      depth += 1
      if returnAddress == previous {
        repeats += 1
      } else {
        printRepeats(repeats)
        repeats = 0
        lines += 1
        print(
          "    #" + String(depth) + " " + hexPadded(returnAddress) + " "
            + KernelSymbols.describe(returnAddress))
      }
      previous = returnAddress
      guard words[0] > rbp else { break }
      rbp = words[0]
    }
    printRepeats(repeats)
    if depth == 0 { print("    (no frame-pointer chain on a kernel stack)") }
  }

  private static func printRepeats(_ count: Int) {
    if count > 0 { print("    ... the same frame " + String(count) + " more times") }
  }

  /// Whether `address` lies in the kernel stack or one of the IST stacks.
  static func isOnKernelStack(_ address: UInt64) -> Bool {
    let layout = kernel_image_layout_get()
    return (layout.stack_bottom..<layout.stack_top).contains(address)
      || (layout.double_fault_stack_top - interruptStackSize..<layout.double_fault_stack_top)
        .contains(address)
      || (layout.nmi_stack_top - interruptStackSize..<layout.nmi_stack_top).contains(address)
  }

  /// The size of each IST stack (Kernel/Boot/trap_entry.S).
  static let interruptStackSize: UInt64 = 16384

  /// Which stack `address` (the saved frame) is on: the kernel stack or an IST stack.
  static func stackName(_ address: UInt64) -> String {
    let layout = kernel_image_layout_get()
    let where_ = hexPadded(address)
    if (layout.stack_bottom..<layout.stack_top).contains(address) {
      return where_ + " (kernel stack)"
    }
    if (layout.double_fault_stack_top - interruptStackSize..<layout.double_fault_stack_top)
      .contains(address)
    {
      return where_ + " (IST1, the double-fault stack)"
    }
    if (layout.nmi_stack_top - interruptStackSize..<layout.nmi_stack_top).contains(address) {
      return where_ + " (IST2, the NMI stack)"
    }
    return where_ + " (unknown stack)"
  }

  /// "kernel mode (ring 0)" or "user mode (ring 3)" from a saved CS.
  static func privilegeName(_ codeSelector: UInt64) -> String {
    codeSelector & 3 == 0
      ? "kernel mode (ring 0)" : "user mode (ring " + String(codeSelector & 3) + ")"
  }

  private static func begin() {
    interrupts_disable()
    inProgress = true
  }

  private static func finish() -> Never {
    Console.write("KERNEL PANIC END: halting (QEMU exit status 35)\n")
    exitQEMU(.panic)
  }
}

/// Looks up kernel symbols in the table the build embeds (Kernel/Support/kernel_symbols.c).
enum KernelSymbols {
  /// "<function+0x12>", or a hint to run llvm-symbolizer when the address is unknown.
  static func describe(_ address: UInt64) -> String {
    var offset: UInt64 = 0
    guard let name = kernel_symbol_lookup(address, &offset) else {
      return "<unknown: llvm-symbolizer --obj=build/kernel.elf " + hex(address) + ">"
    }
    return "<" + String(cString: name) + "+" + hex(offset) + ">"
  }
}
