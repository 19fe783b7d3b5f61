import LinuxABI
import Testing

/// execve's rules that need no kernel: the `#!` line as Linux 6.1's binfmt_script reads it, and
/// the argv/envp size limits of fs/exec.c. The same cases run on Linux in
/// tests/programs/exec_errors.c and exec_script.c.
@Suite struct ExecRulesTests {
  static func parse(_ text: String) -> InterpreterLine? {
    Array(text.utf8).withUnsafeBytes { InterpreterLine(head: $0) }
  }

  static func parse(bytes: [UInt8]) -> InterpreterLine? {
    bytes.withUnsafeBytes { InterpreterLine(head: $0) }
  }

  static func line(_ interpreter: String, _ argument: String?) -> InterpreterLine {
    var parsed = parse("#!x\n")!
    parsed.interpreter = Array(interpreter.utf8)
    parsed.argument = argument.map { Array($0.utf8) }
    return parsed
  }

  @Test func interpreterAndOneArgument() {
    #expect(Self.parse("#!/bin/sh\necho") == Self.line("/bin/sh", nil))
    #expect(Self.parse("#! \t/bin/sh  \t\nx") == Self.line("/bin/sh", nil))
    #expect(Self.parse("#!/bin/sh -e\n") == Self.line("/bin/sh", "-e"))
    // Everything after the name is one argument, inner blanks kept, trailing ones trimmed.
    #expect(Self.parse("#!/usr/bin/env  a b\t c  \n") == Self.line("/usr/bin/env", "a b\t c"))
    // No newline in a short file: the NUL padding ends the line.
    #expect(Self.parse("#!/bin/sh") == Self.line("/bin/sh", nil))
    #expect(Self.parse("#!/bin/sh -x") == Self.line("/bin/sh", "-x"))
  }

  @Test func noInterpreterIsNoExec() {
    #expect(Self.parse("#!\n") == nil)
    #expect(Self.parse("#!   \t \n") == nil)
    // "#!" at the end of the file: the NUL padding is taken for the name, an empty path
    // (Linux then answers ENOENT from opening it).
    #expect(Self.parse("#!") == Self.line("", nil))
  }

  /// A line longer than the 256-byte buffer: fine if the name ended inside it (the argument
  /// is cut), ENOEXEC if the name itself may have been cut.
  @Test func longLines() {
    let longArgument = "#!/bin/sh " + String(repeating: "a", count: 400) + "\n"
    let parsed = Self.parse(longArgument)
    #expect(parsed?.interpreter == Array("/bin/sh".utf8))
    #expect(parsed?.argument?.count == 255 - 10)
    let longName = "#!/" + String(repeating: "b", count: 400) + "\n"
    #expect(Self.parse(longName) == nil)
  }

  @Test func newArgv() {
    let line = Self.line("/bin/sh", "-e")
    let argv = line.arguments(
      scriptPath: Array("./s".utf8), original: [Array("s".utf8), Array("1".utf8)])
    #expect(argv == ["/bin/sh", "-e", "./s", "1"].map { Array($0.utf8) })
    #expect(
      Self.line("/i", nil).arguments(scriptPath: Array("p".utf8), original: [])
        == ["/i", "p"].map { Array($0.utf8) })
  }

  @Test func argumentLimits() {
    let stack = ArgumentLimits.defaultStackLimit
    #expect(ArgumentLimits.total(stackLimit: stack) == 2 << 20)
    #expect(ArgumentLimits.total(stackLimit: 64 << 10) == 128 << 10)
    #expect(ArgumentLimits.total(stackLimit: ~0) == 6 << 20)
    let longest = ArgumentLimits.maximumStringLength - 1
    #expect(
      ArgumentLimits.fit(fileName: 4, arguments: [longest], environment: [], stackLimit: stack))
    #expect(
      !ArgumentLimits.fit(fileName: 4, arguments: [longest + 1], environment: [], stackLimit: stack)
    )
    // 16 strings of 128 KiB fill 2 MiB; with the file name and the pointers they do not fit.
    let sixteen = [Int](repeating: longest, count: 16)
    #expect(
      !ArgumentLimits.fit(fileName: 4, arguments: sixteen, environment: [], stackLimit: stack))
    #expect(
      ArgumentLimits.fit(
        fileName: 4, arguments: Array(sixteen.dropFirst()), environment: [], stackLimit: stack))
    // A quarter of the stack limit counts: with 1 MiB only 256 KiB fit.
    #expect(
      !ArgumentLimits.fit(
        fileName: 4, arguments: [longest, longest], environment: [], stackLimit: 1 << 20))
    #expect(
      ArgumentLimits.fit(
        fileName: 4, arguments: [longest], environment: [1000], stackLimit: 1 << 20))
  }
}
