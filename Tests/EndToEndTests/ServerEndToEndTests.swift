#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// The built `sasurai-server` binary, next to `sasurai`.
let serverBinary = productsDirectory.appendingPathComponent("sasurai-server")

/// A `sasurai-server` process on a free port, read through its log on stderr.
final class ServerProcess {
    let process = Process()
    let databasePath: String
    let port: UInt16
    private let errorPipe = Pipe()

    init(databasePath: String, arguments: [String] = []) throws {
        self.databasePath = databasePath
        process.executableURL = serverBinary
        process.arguments = ["--db", databasePath, "--listen", "127.0.0.1:0", "--log-level", "info"] + arguments
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The "listening" line names the port the kernel chose.
        var seen = ""
        let deadline = Date().addingTimeInterval(20)
        var found: UInt16?
        while found == nil && Date() < deadline {
            let data = errorPipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
            if let range = seen.range(of: "event=listening address=127.0.0.1:") {
                found = UInt16(seen[range.upperBound...].prefix { $0.isNumber })
            }
        }
        guard let found else { throw ServerProcessError("no listening line in: \(seen)") }
        port = found
    }

    var plannerToken: String {
        get throws {
            try String(contentsOfFile: databasePath + ".planner-token", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for exit and returns the status and everything logged since start-up.
    func waitForExit() -> (status: Int32, log: String) {
        let rest = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: rest, as: UTF8.self))
    }
}

struct ServerProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The smallest client: one blocking socket, one line out, one line back.
final class ProtocolConnection {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw ServerProcessError("connect: errno \(errno)") }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    func send(_ line: String) throws -> String {
        let bytes = Array((line + "\n").utf8)
        guard Glibc.send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
            throw ServerProcessError("send failed")
        }
        while true {
            if let index = buffer.firstIndex(of: 0x0A) {
                defer { buffer.removeSubrange(...index) }
                return String(decoding: buffer[..<index], as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = recv(descriptor, &chunk, chunk.count, 0)
            guard count > 0 else { throw ServerProcessError("connection closed") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}

@Suite(.serialized) struct ServerEndToEndTests {
    @Test func theServerBinaryIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: serverBinary.path), "run swift build first")
    }

    @Test func helpAndUsageErrors() throws {
        let help = try runProgram(serverBinary, ["--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("Usage: sasurai-server"))
        let wrong = try runProgram(serverBinary, ["--synchronous", "sometimes"])
        #expect(wrong.status == 2)
        #expect(wrong.standardError == "sasurai-server: --synchronous: \"sometimes\" is not full or normal\n")
    }

    @Test func firstStartWritesAPrivatePlannerTokenAndSIGTERMStopsCleanly() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServerProcess(databasePath: directory.appendingPathComponent("s.db").path)
        let token = try server.plannerToken
        let attributes = try FileManager.default.attributesOfItem(atPath: server.databasePath + ".planner-token")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let connection = try ProtocolConnection(port: server.port)
        #expect(try connection.send("AUTH " + token) == #"OK {"role": "planner"}"#)
        server.signal(SIGTERM)
        let (status, log) = server.waitForExit()
        #expect(status == 0)
        #expect(log.contains("event=stopped"))
        #expect(!log.contains(token))
    }

    /// Every write the server acknowledged is there after SIGKILL and a restart.
    @Test func acknowledgedWritesSurviveSIGKILL() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s.db").path
        let server = try ServerProcess(databasePath: path)
        let token = try server.plannerToken
        let writers = 4
        let perWriter = 50
        let setup = try ProtocolConnection(port: server.port)
        _ = try setup.send("AUTH " + token)
        #expect(try setup.send(#"PROFILE PUT {"freelancer": "f-1", "name": "Aoyama"}"#).hasPrefix("OK "))
        let acknowledged = AcknowledgedIDs()
        let port = server.port
        DispatchQueue.concurrentPerform(iterations: writers) { writer in
            guard let connection = try? ProtocolConnection(port: port),
                  (try? connection.send("AUTH " + token))?.hasPrefix("OK ") == true else { return }
            for index in 0..<perWriter {
                let id = "a-\(writer)-\(index)"
                let reply = try? connection.send(#"APPLY {"freelancer": "f-1", "id": ""# + id
                    + #"", "earliest": "2027-01-01", "latest": "2027-02-01", "nights": 7, "budget_per_night": 5000}"#)
                if reply?.hasPrefix("OK ") == true { acknowledged.insert(id) }
            }
        }
        server.signal(SIGKILL)
        _ = server.waitForExit()
        #expect(acknowledged.count == writers * perWriter)

        let restarted = try ServerProcess(databasePath: path)
        let check = try ProtocolConnection(port: restarted.port)
        _ = try check.send("AUTH " + token)
        let reply = try check.send(#"APPLICATIONS {"freelancer": "f-1"}"#)
        for id in acknowledged.all { #expect(reply.contains("\"id\": \"\(id)\"")) }
        restarted.signal(SIGTERM)
        #expect(restarted.waitForExit().status == 0)
    }
}

final class AcknowledgedIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: Set<String> = []
    func insert(_ id: String) { lock.lock(); ids.insert(id); lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return ids.count }
    var all: Set<String> { lock.lock(); defer { lock.unlock() }; return ids }
}
