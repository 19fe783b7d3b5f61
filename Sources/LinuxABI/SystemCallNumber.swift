#if canImport(KernelMemory)
  import KernelMemory
#endif

/// Linux x86-64 system-call numbers (arch/x86/entry/syscalls/syscall_64.tbl) for the calls this
/// kernel answers, plus `name(of:)` for the log line of an unsupported one.
public enum SystemCallNumber {
  public static let read: UInt64 = 0
  public static let write: UInt64 = 1
  public static let close: UInt64 = 3
  public static let fstat: UInt64 = 5
  public static let lseek: UInt64 = 8
  public static let mmap: UInt64 = 9
  public static let mprotect: UInt64 = 10
  public static let munmap: UInt64 = 11
  public static let brk: UInt64 = 12
  public static let rt_sigaction: UInt64 = 13
  public static let rt_sigprocmask: UInt64 = 14
  public static let ioctl: UInt64 = 16
  public static let readv: UInt64 = 19
  public static let writev: UInt64 = 20
  public static let pipe: UInt64 = 22
  public static let pipe2: UInt64 = 293
  public static let execve: UInt64 = 59
  public static let execveat: UInt64 = 322
  public static let poll: UInt64 = 7
  public static let select: UInt64 = 23
  public static let sched_yield: UInt64 = 24
  public static let dup: UInt64 = 32
  public static let dup2: UInt64 = 33
  public static let mremap: UInt64 = 25
  public static let madvise: UInt64 = 28
  public static let nanosleep: UInt64 = 35
  public static let getpid: UInt64 = 39
  public static let open: UInt64 = 2
  public static let getcwd: UInt64 = 79
  public static let exit: UInt64 = 60
  public static let wait4: UInt64 = 61
  public static let kill: UInt64 = 62
  public static let uname: UInt64 = 63
  public static let fcntl: UInt64 = 72
  public static let readlink: UInt64 = 89
  public static let gettimeofday: UInt64 = 96
  public static let getrusage: UInt64 = 98
  public static let getrlimit: UInt64 = 97
  public static let sysinfo: UInt64 = 99
  public static let times: UInt64 = 100
  public static let setrlimit: UInt64 = 160
  public static let getuid: UInt64 = 102
  public static let getgid: UInt64 = 104
  public static let geteuid: UInt64 = 107
  public static let getegid: UInt64 = 108
  public static let getppid: UInt64 = 110
  public static let getpgrp: UInt64 = 111
  public static let getpgid: UInt64 = 121
  public static let getsid: UInt64 = 124
  public static let rt_sigpending: UInt64 = 127
  public static let sigaltstack: UInt64 = 131
  public static let prctl: UInt64 = 157
  public static let arch_prctl: UInt64 = 158
  public static let gettid: UInt64 = 186
  public static let tkill: UInt64 = 200
  public static let time: UInt64 = 201
  public static let sched_getaffinity: UInt64 = 204
  public static let set_tid_address: UInt64 = 218
  public static let clock_gettime: UInt64 = 228
  public static let clock_getres: UInt64 = 229
  public static let clock_nanosleep: UInt64 = 230
  public static let exit_group: UInt64 = 231
  public static let tgkill: UInt64 = 234
  public static let openat: UInt64 = 257
  public static let newfstatat: UInt64 = 262
  public static let readlinkat: UInt64 = 267
  public static let set_robust_list: UInt64 = 273
  public static let prlimit64: UInt64 = 302
  public static let pselect6: UInt64 = 270
  public static let ppoll: UInt64 = 271
  public static let dup3: UInt64 = 292
  public static let getrandom: UInt64 = 318
  public static let rseq: UInt64 = 334
  public static let stat: UInt64 = 4
  public static let lstat: UInt64 = 6
  public static let pread64: UInt64 = 17
  public static let access: UInt64 = 21
  public static let chdir: UInt64 = 80
  public static let fchdir: UInt64 = 81
  public static let getdents64: UInt64 = 217
  public static let faccessat: UInt64 = 269
  public static let statx: UInt64 = 332
  public static let faccessat2: UInt64 = 439

  /// The call's name for log lines, or nil when this table does not know it.
  public static func name(of number: UInt64) -> String? {
    switch number {
    case read: return "read"
    case write: return "write"
    case open: return "open"
    case close: return "close"
    case 4: return "stat"
    case fstat: return "fstat"
    case poll: return "poll"
    case select: return "select"
    case pselect6: return "pselect6"
    case ppoll: return "ppoll"
    case lseek: return "lseek"
    case mmap: return "mmap"
    case mprotect: return "mprotect"
    case munmap: return "munmap"
    case brk: return "brk"
    case rt_sigaction: return "rt_sigaction"
    case rt_sigprocmask: return "rt_sigprocmask"
    case ioctl: return "ioctl"
    case readv: return "readv"
    case writev: return "writev"
    case sched_yield: return "sched_yield"
    case dup: return "dup"
    case dup2: return "dup2"
    case mremap: return "mremap"
    case madvise: return "madvise"
    case nanosleep: return "nanosleep"
    case getpid: return "getpid"
    case 56: return "clone"
    case 57: return "fork"
    case 59: return "execve"
    case exit: return "exit"
    case wait4: return "wait4"
    case kill: return "kill"
    case uname: return "uname"
    case fcntl: return "fcntl"
    case getcwd: return "getcwd"
    case readlink: return "readlink"
    case gettimeofday: return "gettimeofday"
    case getrusage: return "getrusage"
    case getrlimit: return "getrlimit"
    case sysinfo: return "sysinfo"
    case times: return "times"
    case setrlimit: return "setrlimit"
    case getuid: return "getuid"
    case getgid: return "getgid"
    case geteuid: return "geteuid"
    case getegid: return "getegid"
    case getppid: return "getppid"
    case getpgrp: return "getpgrp"
    case getpgid: return "getpgid"
    case getsid: return "getsid"
    case rt_sigpending: return "rt_sigpending"
    case sigaltstack: return "sigaltstack"
    case prctl: return "prctl"
    case arch_prctl: return "arch_prctl"
    case gettid: return "gettid"
    case time: return "time"
    case 202: return "futex"
    case sched_getaffinity: return "sched_getaffinity"
    case set_tid_address: return "set_tid_address"
    case clock_gettime: return "clock_gettime"
    case clock_getres: return "clock_getres"
    case clock_nanosleep: return "clock_nanosleep"
    case exit_group: return "exit_group"
    case tgkill: return "tgkill"
    case openat: return "openat"
    case newfstatat: return "newfstatat"
    case readlinkat: return "readlinkat"
    case set_robust_list: return "set_robust_list"
    case prlimit64: return "prlimit64"
    case dup3: return "dup3"
    case getrandom: return "getrandom"
    case rseq: return "rseq"
    case lstat: return "lstat"
    case pread64: return "pread64"
    case access: return "access"
    case chdir: return "chdir"
    case fchdir: return "fchdir"
    case getdents64: return "getdents64"
    case faccessat: return "faccessat"
    case statx: return "statx"
    case faccessat2: return "faccessat2"
    default: return nil
    }
  }
}

/// Linux errno values (asm-generic/errno-base.h, errno.h) the system calls return, negated in
/// `%rax`.
public struct LinuxErrno: Error, RawRepresentable, Equatable, Sendable {
  public let rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }

  public static let EPERM = LinuxErrno(rawValue: 1)
  public static let ENOENT = LinuxErrno(rawValue: 2)
  public static let ESRCH = LinuxErrno(rawValue: 3)
  public static let ENXIO = LinuxErrno(rawValue: 6)
  public static let E2BIG = LinuxErrno(rawValue: 7)
  public static let EACCES = LinuxErrno(rawValue: 13)
  public static let ENOTDIR = LinuxErrno(rawValue: 20)
  public static let EISDIR = LinuxErrno(rawValue: 21)
  public static let EROFS = LinuxErrno(rawValue: 30)
  public static let ENAMETOOLONG = LinuxErrno(rawValue: 36)
  public static let ELOOP = LinuxErrno(rawValue: 40)
  public static let ENOEXEC = LinuxErrno(rawValue: 8)
  public static let EPIPE = LinuxErrno(rawValue: 32)
  public static let EBADF = LinuxErrno(rawValue: 9)
  public static let ENOMEM = LinuxErrno(rawValue: 12)
  public static let EFAULT = LinuxErrno(rawValue: 14)
  public static let ECHILD = LinuxErrno(rawValue: 10)
  public static let EEXIST = LinuxErrno(rawValue: 17)
  public static let ENODEV = LinuxErrno(rawValue: 19)
  public static let EINVAL = LinuxErrno(rawValue: 22)
  public static let EMFILE = LinuxErrno(rawValue: 24)
  public static let ENOTTY = LinuxErrno(rawValue: 25)
  public static let ESPIPE = LinuxErrno(rawValue: 29)
  public static let ERANGE = LinuxErrno(rawValue: 34)
  public static let ENOSYS = LinuxErrno(rawValue: 38)
  public static let EOPNOTSUPP = LinuxErrno(rawValue: 95)
  public static let EINTR = LinuxErrno(rawValue: 4)
  public static let EAGAIN = LinuxErrno(rawValue: 11)
  public static let ETIMEDOUT = LinuxErrno(rawValue: 110)

  // Kernel-internal answers of a blocking call a signal interrupted (include/linux/errno.h).
  // No program ever sees them: on the way back to user mode, signal delivery turns each into
  // a restart of the call (the frame's RIP backs up over `syscall`, RAX gets the call number
  // back) or into EINTR, by the rule each one names.

  /// Restart unless the handler run for the signal lacks SA_RESTART (then EINTR).
  public static let ERESTARTSYS = LinuxErrno(rawValue: 512)
  /// Restart always, handler or not.
  public static let ERESTARTNOINTR = LinuxErrno(rawValue: 513)
  /// Restart only when no handler runs (the signal was ignored or its default continues);
  /// EINTR when one runs, whatever its flags (`pause`, `rt_sigsuspend`, `poll`/`select`).
  public static let ERESTARTNOHAND = LinuxErrno(rawValue: 514)
  /// Like ERESTARTNOHAND, but the restart goes through `restart_syscall` with the time left
  /// (`nanosleep`, `clock_nanosleep`).
  public static let ERESTART_RESTARTBLOCK = LinuxErrno(rawValue: 516)

  /// Whether this is one of the kernel-internal restart answers.
  public var isRestart: Bool {
    self == .ERESTARTSYS || self == .ERESTARTNOINTR || self == .ERESTARTNOHAND
      || self == .ERESTART_RESTARTBLOCK
  }

  /// The core's errno for an address-space error.
  public init(_ errno: Errno) { self.init(rawValue: Int64(errno.rawValue)) }

  /// The value returned in `%rax`: `-errno` as an unsigned word.
  public var returnValue: UInt64 { UInt64(bitPattern: -rawValue) }
}
