#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Sends request lines one at a time on one connection and prints each reply line; used by
/// scripts to set data up. Fails on the first ERR unless errors are allowed.
struct ExecRun {
    var address: sockaddr_in
    var token: String?
    var lines: [String]
    var allowErrors = false
    var quiet = false

    func run() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket: \(errnoText())") }
        defer { close(descriptor) }
        var address = self.address
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else { throw BenchError("connect to port \(UInt16(bigEndian: address.sin_port)): \(errnoText())") }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)

        func exchange(_ line: String) throws -> String {
            let bytes = Array((line + "\n").utf8)
            var sent = 0
            while sent < bytes.count {
                let result = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { throw BenchError("send: \(errnoText())") }
                sent += result
            }
            while true {
                if let newline = pending.firstIndex(of: 0x0A) {
                    let reply = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeFirst(newline + 1)
                    return reply.hasSuffix("\r") ? String(reply.dropLast()) : reply
                }
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw BenchError("the server closed the connection") }
                pending.append(contentsOf: buffer[0..<count])
            }
        }

        if let token {
            let reply = try exchange("AUTH " + token)
            guard reply.hasPrefix("OK") || reply.hasPrefix("+") else { throw BenchError("AUTH was refused: \(reply)") }
        }
        var errors = 0
        for line in lines where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let reply = try exchange(line)
            if !quiet { print(reply) }
            if let first = reply.utf8.first, isErrorReplyStart(first) {
                errors += 1
                if !allowErrors {
                    let shown = line.count > 120 ? String(line.prefix(120)) + "…" : line
                    throw BenchError("\(shown)\n  -> \(reply)")
                }
            }
        }
        return errors
    }
}
