import KernelSupport

/// A 16550-compatible UART driven by port I/O: the kernel's console (COM1).
///
/// Register offsets and bits are the 16550 data sheet's (PC16550D, table 2). Output is
/// polled: each byte waits for the transmit holding register to be empty. Input, when the
/// console is a terminal (`ConsoleTerminal`), raises IRQ 4 (IER.ERBFI) and is drained by the
/// interrupt handler.
struct SerialPort {
  /// The I/O base of COM1 on a PC.
  static let com1Base: UInt16 = 0x3f8

  /// Register offsets from the base port.
  enum Register: UInt16 {
    /// THR (write) / RBR (read); DLL when LCR.DLAB is set.
    case data = 0
    /// IER; DLM when LCR.DLAB is set.
    case interruptEnable = 1
    /// FCR (write).
    case fifoControl = 2
    /// LCR.
    case lineControl = 3
    /// MCR.
    case modemControl = 4
    /// LSR.
    case lineStatus = 5
  }

  /// LCR.DLAB: the data and interrupt-enable registers address the baud divisor.
  static let divisorLatchAccess: UInt8 = 0x80
  /// LCR: 8 data bits, no parity, one stop bit.
  static let eightNoParityOneStop: UInt8 = 0x03
  /// FCR: enable and clear both FIFOs, 14-byte trigger level.
  static let fifoEnableAndClear: UInt8 = 0xc7
  /// MCR: DTR, RTS and OUT2.
  static let dataTerminalReadyRequestToSendOut2: UInt8 = 0x0b
  /// LSR.THRE: the transmit holding register is empty.
  static let transmitHoldingEmpty: UInt8 = 0x20
  /// LSR.DR: a received byte waits in RBR (or the receive FIFO).
  static let dataReady: UInt8 = 0x01
  /// IER.ERBFI: interrupt when received data is available (or the FIFO's timeout passes).
  static let receivedDataInterrupt: UInt8 = 0x01
  /// The divisor for 115200 baud (the 1.8432 MHz clock / 16 / 115200).
  static let divisor115200: UInt8 = 1

  /// The port's base I/O address.
  let base: UInt16

  /// Programs 115200 baud, 8N1, FIFOs on, interrupts off.
  func initialize() {
    write(.interruptEnable, 0)
    write(.lineControl, SerialPort.divisorLatchAccess)
    write(.data, SerialPort.divisor115200)
    write(.interruptEnable, 0)
    write(.lineControl, SerialPort.eightNoParityOneStop)
    write(.fifoControl, SerialPort.fifoEnableAndClear)
    write(.modemControl, SerialPort.dataTerminalReadyRequestToSendOut2)
  }

  /// Sends one byte, waiting until the transmitter can take it.
  func send(_ byte: UInt8) {
    while read(.lineStatus) & SerialPort.transmitHoldingEmpty == 0 {}
    write(.data, byte)
  }

  /// Lets received bytes raise the port's interrupt.
  func enableReceiveInterrupt() {
    write(.interruptEnable, SerialPort.receivedDataInterrupt)
  }

  /// The next received byte, if one is waiting (reading RBR takes it, and the interrupt goes
  /// down once none is left).
  func receive() -> UInt8? {
    guard read(.lineStatus) & SerialPort.dataReady != 0 else { return nil }
    return read(.data)
  }

  private func write(_ register: Register, _ value: UInt8) {
    port_write_byte(base + register.rawValue, value)
  }

  private func read(_ register: Register) -> UInt8 {
    port_read_byte(base + register.rawValue)
  }
}
