#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SasuraiCore
import SasuraiProtocol
import SasuraiServer
import SasuraiStore

/// A server on 127.0.0.1 port 0 over a fresh database in a temporary folder, stopped by `stop()`.
final class RunningServer: @unchecked Sendable {
    let directory: URL
    let server: Server
    let plannerToken: String

    var port: UInt16 { server.port }
    var databasePath: String { server.services.configuration.databasePath }

    init(configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sasurai-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = ServerConfiguration()
        configuration.databasePath = directory.appendingPathComponent("test.db").path
        configuration.port = 0
        configuration.logLevel = .debug
        configure(&configuration)
        let box = LogBox()
        let server = Server(configuration: configuration, logger: Logger(level: .debug, sink: { box.append($0) }))
        try server.start()
        self.server = server
        self.logBox = box
        plannerToken = try String(contentsOfFile: configuration.plannerTokenPath, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private let logBox: LogBox

    /// Every log line so far.
    var log: [String] { logBox.lines }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A new connection to this server.
    func connect() throws -> LineClient { try LineClient(port: port) }

    /// A connection already authenticated with `token` (the planner's by default).
    func connect(token: String? = nil) throws -> LineClient {
        let client = try LineClient(port: port)
        let reply = try client.send("AUTH " + (token ?? plannerToken))
        guard reply.hasPrefix("OK ") else { throw TestFailure("AUTH failed: \(reply)") }
        return client
    }

    /// Issues a token through the protocol and returns it.
    func issueToken(role: String, subject: String?) throws -> String {
        let planner = try connect(token: nil)
        defer { planner.close() }
        var request = "TOKEN ISSUE {\"role\": \"\(role)\""
        if let subject { request += ", \"subject\": \"\(subject)\"" }
        let reply = try planner.send(request + "}")
        guard reply.hasPrefix("OK "), let range = reply.range(of: "\"token\": \"") else {
            throw TestFailure("TOKEN ISSUE failed: \(reply)")
        }
        return String(reply[range.upperBound...].prefix(64))
    }
}

final class LogBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) {
        lock.lock()
        stored.append(line)
        lock.unlock()
    }
    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A blocking client that sends raw bytes and reads reply lines, with a timeout on every read.
final class LineClient {
    let descriptor: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16, timeoutSeconds: Int = 20) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw TestFailure("connect failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(descriptor) }

    func close() { shutdown(descriptor, Int32(SHUT_RDWR)) }

    /// Half-closes: the server sees end of input.
    func shutdownWrite() { shutdown(descriptor, Int32(SHUT_WR)) }

    func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard result > 0 else { throw TestFailure("send failed: errno \(errno)") }
            sent += result
        }
    }

    func write(_ text: String) throws { try write(Array(text.utf8)) }

    /// Sends one line (LF added) and returns the reply line without its LF.
    @discardableResult
    func send(_ line: String) throws -> String {
        try write(line + "\n")
        return try readLine()
    }

    /// The next reply line without its LF; throws on timeout or end of stream.
    func readLine() throws -> String {
        while true {
            if let index = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<index], as: UTF8.self)
                buffer.removeSubrange(...index)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = recv(descriptor, &chunk, chunk.count, 0)
            guard count > 0 else { throw TestFailure(count == 0 ? "connection closed" : "read failed: errno \(errno)") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// True when the server closed the connection (reads end of stream) within the timeout.
    func isClosedByServer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}
