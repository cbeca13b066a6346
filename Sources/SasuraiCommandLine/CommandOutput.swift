#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command writes: the terminal normally, a buffer in tests.
public struct CommandOutput: Sendable {
    public private(set) var standardOutput: [UInt8] = []
    public private(set) var standardError: [UInt8] = []
    /// True when writes go straight to the process's streams.
    public let isDirect: Bool

    public init(direct: Bool) {
        self.isDirect = direct
    }

    public mutating func print(_ text: String) {
        write(text + "\n")
    }

    public mutating func write(_ text: String) {
        write(Array(text.utf8))
    }

    public mutating func write(_ bytes: [UInt8]) {
        if isDirect {
            StandardStream.write(bytes, to: 1)
        } else {
            standardOutput.append(contentsOf: bytes)
        }
    }

    /// Writes a line to standard error: messages for the person, never data.
    public mutating func printError(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        if isDirect {
            StandardStream.write(bytes, to: 2)
        } else {
            standardError.append(contentsOf: bytes)
        }
    }

    /// Progress text that overwrites itself on a terminal's last line.
    public mutating func progress(_ text: String) {
        guard isDirect else { return }
        let bytes = Array(("\r\u{1B}[K" + text).utf8)
        StandardStream.write(bytes, to: 2)
    }

    public var standardOutputText: String { String(decoding: standardOutput, as: UTF8.self) }
    public var standardErrorText: String { String(decoding: standardError, as: UTF8.self) }

    /// True when standard error is a terminal, so live progress is worth drawing.
    public static var standardErrorIsTerminal: Bool { isatty(2) == 1 }
}

/// Unbuffered writes to the process's standard streams, so that output and errors keep
/// their order and nothing is lost when the process exits.
enum StandardStream {
    static func write(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                #if canImport(Glibc)
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                let written = Darwin.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
