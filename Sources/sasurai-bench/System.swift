#if canImport(Glibc)
import Glibc
import CLinuxEvents
#endif
import Foundation

/// Monotonic time in nanoseconds (vDSO clock_gettime: a few tens of nanoseconds a call).
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
}

/// A mistake on the command line or a failure that ends the run, with the message to print.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data(("sasurai-bench: " + text + "\n").utf8))
}

func errnoText(_ number: Int32 = errno) -> String { String(cString: strerror(number)) }

/// Raises the soft limit on open files to at least `wanted` (up to the hard limit) and returns
/// the soft limit now in force.
@discardableResult
func raiseOpenFileLimit(to wanted: Int) -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
    let target = rlim_t(wanted)
    if limit.rlim_cur < target {
        limit.rlim_cur = min(target, limit.rlim_max)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    return Int(limit.rlim_cur)
}

/// An IPv4 address to connect to.
func socketAddress(host: String, port: UInt16) throws -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    let resolved = host == "localhost" ? "127.0.0.1" : host
    guard inet_pton(AF_INET, resolved, &address.sin_addr) == 1 else {
        throw BenchError("--host: \"\(host)\" is not an IPv4 address")
    }
    return address
}

/// Starts a non-blocking TCP connection with Nagle off; the connect completes later (EPOLLOUT).
func startConnection(to address: sockaddr_in) throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                                | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { throw BenchError("socket: \(errnoText())") }
    var one: Int32 = 1
    setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = address
    let result = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    if result != 0 && errno != EINPROGRESS {
        let text = errnoText()
        close(descriptor)
        throw BenchError("connect: \(text)")
    }
    return descriptor
}

/// The pending error of a non-blocking connect (0 when it succeeded).
func connectionError(_ descriptor: Int32) -> Int32 {
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &value, &length)
    return value
}

/// An epoll instance keyed by a 64-bit tag (the connection's slot).
final class EventPoller {
    let descriptor: Int32
    var events: UnsafeMutableBufferPointer<epoll_event>

    init(capacity: Int = 1_024) throws {
        descriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard descriptor >= 0 else { throw BenchError("epoll_create1: \(errnoText())") }
        events = .allocate(capacity: capacity)
    }

    deinit {
        events.deallocate()
        close(descriptor)
    }

    static func mask(readable: Bool, writable: Bool) -> UInt32 {
        var flags: UInt32 = 0
        if readable { flags |= UInt32(EPOLLIN.rawValue) }
        if writable { flags |= UInt32(EPOLLOUT.rawValue) }
        return flags
    }

    func add(_ fd: Int32, tag: UInt64, readable: Bool, writable: Bool) throws {
        var event = epoll_event()
        event.events = Self.mask(readable: readable, writable: writable)
        event.data.u64 = tag
        guard epoll_ctl(descriptor, EPOLL_CTL_ADD, fd, &event) == 0 else {
            throw BenchError("epoll_ctl: \(errnoText())")
        }
    }

    func modify(_ fd: Int32, tag: UInt64, readable: Bool, writable: Bool) {
        var event = epoll_event()
        event.events = Self.mask(readable: readable, writable: writable)
        event.data.u64 = tag
        epoll_ctl(descriptor, EPOLL_CTL_MOD, fd, &event)
    }

    func remove(_ fd: Int32) {
        epoll_ctl(descriptor, EPOLL_CTL_DEL, fd, nil)
    }

    /// Waits for events; returns how many of `events` are filled.
    func wait(milliseconds: Int32) -> Int {
        let count = epoll_wait(descriptor, events.baseAddress, Int32(events.count), milliseconds)
        return count < 0 ? 0 : Int(count)
    }
}

/// Sends all of `bytes` on a non-blocking socket; returns how many went out, or nil on error.
func sendSome(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int? {
    var sent = 0
    while sent < bytes.count {
        let result = send(descriptor, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
        if result > 0 { sent += result; continue }
        if result < 0 && errno == EINTR { continue }
        if result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
        return nil
    }
    return sent
}

/// The resident set of a process in KiB, from /proc/PID/status (nil when it is gone).
func residentKiB(pid: Int) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }
    return nil
}

/// Reads a token file: the first line, trimmed.
func readToken(path: String) throws -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw BenchError("cannot read token file \(path)")
    }
    let token = text.split(whereSeparator: \.isNewline).first.map(String.init)?
        .trimmingCharacters(in: .whitespaces) ?? ""
    guard !token.isEmpty else { throw BenchError("token file \(path) is empty") }
    return token
}

/// Whether a reply line is an error: `ERR ...` (Sasurai) or `-ERR ...` (Redis, for calibration).
@inline(__always)
func isErrorReplyStart(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "E") || byte == UInt8(ascii: "-") }
