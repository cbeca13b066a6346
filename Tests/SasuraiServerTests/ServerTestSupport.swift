#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SasuraiCore
import SasuraiProtocol
import SasuraiServer
import SasuraiStore
import Testing

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

// MARK: Comparing replies

/// A reply line with what changes from run to run replaced: timestamps by `"<time>"`, issued
/// tokens by `"<token>"` and run times by `<ms>`, so everything else can be compared exactly.
func masked(_ line: String) -> String {
    line.replacing(#/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"/#, with: "\"<time>\"")
        .replacing(#/"token": "[0-9a-f]{64}"/#, with: "\"token\": \"<token>\"")
        .replacing(#/"elapsed_ms": \d+/#, with: "\"elapsed_ms\": <ms>")
}

/// One step of a conversation: who sends what, and the reply line (masked) it must get.
typealias Step = (client: LineClient, request: String, reply: String)

/// Sends every request in order on its client and expects each masked reply exactly.
func converse(_ steps: [Step], sourceLocation: SourceLocation = #_sourceLocation) throws {
    for step in steps {
        let reply = masked(try step.client.send(step.request))
        #expect(reply == step.reply, "after \(step.request)", sourceLocation: sourceLocation)
    }
}

extension LineClient {
    /// Sends every request in order and expects each masked reply exactly.
    func expect(_ exchanges: [(request: String, reply: String)],
                sourceLocation: SourceLocation = #_sourceLocation) throws {
        try converse(exchanges.map { (self, $0.request, $0.reply) }, sourceLocation: sourceLocation)
    }
}

/// The members of a reply's JSON object (`OK {...}`); empty for an error line.
func replyObject(_ line: String) -> [String: Any] {
    guard line.hasPrefix("OK "),
          let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(3).utf8)) as? [String: Any] else {
        return [:]
    }
    return object
}

// MARK: Threads

/// A value handed to other threads that the test knows how to share safely.
struct Shared<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

private final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<T, any Error>?]
    init(_ count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ result: Result<T, any Error>) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }
    var all: [Result<T, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return results.map { $0 ?? .failure(TestFailure("no result")) }
    }
}

/// Runs `body(0)` ... `body(count - 1)` each on a thread of its own, all released at once, and
/// returns their results in index order.
func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, any Error>] {
    let slots = ResultSlots<T>(count)
    let ready = DispatchGroup()
    let start = DispatchSemaphore(value: 0)
    let done = DispatchGroup()
    for index in 0..<count {
        ready.enter()
        done.enter()
        Thread {
            ready.leave()
            start.wait()
            slots.set(index, Result { try body(index) })
            done.leave()
        }.start()
    }
    ready.wait()
    for _ in 0..<count { start.signal() }
    done.wait()
    return slots.all
}
