#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SasuraiCore

/// One reply line of the protocol: `OK <json>` or `ERR <CODE> <message>`.
public enum ServerReply: Sendable, Equatable {
    case ok(JSONNode)
    case error(code: String, message: String)

    /// Reads one reply line (without its LF), as docs/PROTOCOL.md section 1 defines it.
    public static func parse(_ line: String) throws(CommandFailure) -> ServerReply {
        if line.hasPrefix("OK ") {
            do {
                return .ok(try JSONParser.parse(String(line.dropFirst(3))))
            } catch {
                throw CommandFailure("the server sent a reply that is not JSON (\(error.message)); is it a Sasurai server?",
                                     exitCode: .connection)
            }
        }
        if line.hasPrefix("ERR ") {
            let rest = line.dropFirst(4)
            let code = rest.prefix { $0 != " " }
            let message = rest.dropFirst(code.count).drop { $0 == " " }
            return .error(code: String(code), message: String(message))
        }
        let shown = line.count > 60 ? String(line.prefix(60)) + "…" : line
        throw CommandFailure("the server sent \"\(shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : String($0) }.joined())\", not a Sasurai reply; is it a Sasurai server?",
                             exitCode: .connection)
    }
}

/// A blocking TCP connection to `sasurai-server` that sends request lines and reads replies.
///
/// A command-line call makes a handful of requests and waits for each, so plain blocking
/// sockets with timeouts are simpler and just as fast as an event loop here.
public final class ServerConnection {
    public let address: ServerAddress
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    /// How long one reply may take before the call gives up; PLAN replies at once, so
    /// nothing in the protocol legitimately takes longer than an IMPORT of a large file.
    private let replyTimeoutSeconds: Int

    /// Connects to `address`, trying each address the name resolves to.
    public init(address: ServerAddress, replyTimeoutSeconds: Int = 120) throws(CommandFailure) {
        self.address = address
        self.replyTimeoutSeconds = replyTimeoutSeconds
        descriptor = try Self.connect(to: address, timeoutSeconds: 10)
        var timeout = timeval(tv_sec: replyTimeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    /// Sends each line, then reads one reply per line, in order (pipelined).
    public func exchange(_ lines: [String]) throws(CommandFailure) -> [ServerReply] {
        var bytes: [UInt8] = []
        for line in lines { bytes += Array(line.utf8) + [0x0A] }
        try sendAll(bytes)
        var replies: [ServerReply] = []
        replies.reserveCapacity(lines.count)
        for _ in lines { replies.append(try ServerReply.parse(readLine())) }
        return replies
    }

    /// Sends one line and reads its reply.
    public func exchange(_ line: String) throws(CommandFailure) -> ServerReply {
        try exchange([line])[0]
    }

    private func sendAll(_ bytes: [UInt8]) throws(CommandFailure) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBufferPointer { buffer in
                send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw lost("sending failed: \(Self.errorText(errno))")
            }
            offset += sent
        }
    }

    private func readLine() throws(CommandFailure) -> String {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(...end)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBufferPointer { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
            } else if count == 0 {
                throw lost("the server closed the connection")
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                throw lost("no reply within \(replyTimeoutSeconds) s")
            } else {
                throw lost("reading failed: \(Self.errorText(errno))")
            }
        }
    }

    private func lost(_ what: String) -> CommandFailure {
        CommandFailure("connection to \(address) lost: \(what)", exitCode: .connection)
    }

    private static func connect(to address: ServerAddress, timeoutSeconds: Int) throws(CommandFailure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw CommandFailure("cannot find server \(address): \(reason); check --server or SASURAI_SERVER",
                                 exitCode: .connection)
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            let candidate = socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            if candidate < 0 { lastError = errno; continue }
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            // SO_SNDTIMEO bounds a blocking connect on Linux, so an unreachable host fails in time.
            setsockopt(candidate, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var result: Int32
            repeat {
                result = Glibc.connect(candidate, current.pointee.ai_addr, current.pointee.ai_addrlen)
            } while result < 0 && errno == EINTR
            if result == 0 {
                var one: Int32 = 1
                setsockopt(candidate, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return candidate
            }
            lastError = errno
            close(candidate)
        }
        let hint = lastError == ECONNREFUSED ? "; is sasurai-server running there?" : ""
        throw CommandFailure("cannot connect to \(address): \(errorText(lastError))\(hint)", exitCode: .connection)
    }

    static func errorText(_ number: Int32) -> String {
        String(cString: strerror(number)).lowercased()
    }
}

/// Where the server listens: `HOST:PORT`, `[IPv6]:PORT`, or a bare host (port 7878).
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public static let defaultPort: UInt16 = 7878
    public static let standard = ServerAddress(host: "127.0.0.1", port: defaultPort)

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; nil when the text is not an address.
    public init?(_ text: String) {
        var host = Substring(text)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard host.firstIndex(of: ":") == colon else { return nil }
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty, !host.contains(" ") else { return nil }
        self.host = String(host)
        if let portText {
            guard let port = UInt16(portText), port > 0 else { return nil }
            self.port = port
        } else {
            self.port = Self.defaultPort
        }
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
