#if canImport(Glibc)
import Glibc
import CLinuxEvents
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call, with the call's name and errno's text.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let errorNumber: Int32

    public init(_ call: String, errorNumber: Int32 = errno) {
        self.call = call
        self.errorNumber = errorNumber
    }

    public var description: String {
        "\(call): \(String(cString: strerror(errorNumber)))"
    }
}

/// Thin wrappers over the POSIX socket calls the server needs; every descriptor is non-blocking
/// and close-on-exec.
enum Socket {
    /// A listening TCP socket bound to `host:port` (IPv4 or IPv6 literal, or `localhost`).
    ///
    /// Port 0 asks the kernel for a free port; `boundPort` tells which it chose.
    static func listen(host: String, port: UInt16, backlog: Int32 = 1_024) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw ListenError.unresolvable(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastError = SystemError("socket", errorNumber: EADDRNOTAVAIL)
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            candidate = address.pointee.ai_next
            let descriptor = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else {
                lastError = SystemError("socket")
                continue
            }
            var one: Int32 = 1
            // A restarted server must bind at once even while old connections sit in TIME_WAIT.
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if bind(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) != 0 {
                lastError = SystemError("bind")
                close(descriptor)
                continue
            }
            if Glibc.listen(descriptor, backlog) != 0 {
                lastError = SystemError("listen")
                close(descriptor)
                continue
            }
            return descriptor
        }
        throw ListenError.system(lastError)
    }

    enum ListenError: Error, CustomStringConvertible {
        case unresolvable(host: String, reason: String)
        case system(SystemError)

        var description: String {
            switch self {
            case .unresolvable(let host, let reason): return "cannot resolve \"\(host)\": \(reason)"
            case .system(let error): return error.description
            }
        }
    }

    /// The local port a socket is bound to.
    static func boundPort(_ descriptor: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { return 0 }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        default:
            return 0
        }
    }

    /// The peer's address as `host:port`, for logs.
    static func peerName(_ descriptor: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &length) }
        }
        guard result == 0 else { return "unknown" }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let status = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                            NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard status == 0 else { return "unknown" }
        func text(_ characters: [CChar]) -> String {
            String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let hostText = text(host)
        return (hostText.contains(":") ? "[\(hostText)]" : hostText) + ":" + text(service)
    }

    /// What one accept call found.
    enum Accepted {
        case connection(Int32)
        case none
        /// EMFILE or ENFILE: a client waits but no descriptor is left for it.
        case outOfDescriptors
    }

    /// Accepts one pending connection, non-blocking.
    static func accept(_ listener: Int32) -> Accepted {
        while true {
            let descriptor = Glibc.accept(listener, nil, nil)
            if descriptor >= 0 {
                // accept4 is a GNU extension Swift's Glibc module hides; two fcntl calls do the same.
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
                var one: Int32 = 1
                // Replies are whole lines written at once; Nagle would only add latency.
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return .connection(descriptor)
            }
            // A connection reset before we accepted it is the client's business, not a reason to stop.
            if errno == EINTR || errno == ECONNABORTED || errno == EPROTO { continue }
            if errno == EMFILE || errno == ENFILE { return .outOfDescriptors }
            return .none
        }
    }

    /// Sends as much of `bytes[offset...]` as the socket takes now; returns the count sent, or
    /// nil when the peer is gone.
    static func send(_ descriptor: Int32, _ bytes: [UInt8], from offset: Int) -> Int? {
        var sent = offset
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress! + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result > 0 {
                sent += result
                continue
            }
            if result < 0 && errno == EINTR { continue }
            if result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            return nil
        }
        return sent - offset
    }
}

/// An epoll instance, level-triggered, keyed by file descriptor.
final class Poller {
    let descriptor: Int32

    init() throws {
        descriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard descriptor >= 0 else { throw SystemError("epoll_create1") }
    }

    deinit { close(descriptor) }

    /// Watches `fd` for input, and for output when `writable` is true.
    func add(_ fd: Int32, readable: Bool = true, writable: Bool = false) throws {
        var event = Self.event(fd, readable: readable, writable: writable)
        guard epoll_ctl(descriptor, EPOLL_CTL_ADD, fd, &event) == 0 else { throw SystemError("epoll_ctl add") }
    }

    func modify(_ fd: Int32, readable: Bool, writable: Bool) {
        var event = Self.event(fd, readable: readable, writable: writable)
        epoll_ctl(descriptor, EPOLL_CTL_MOD, fd, &event)
    }

    func remove(_ fd: Int32) {
        epoll_ctl(descriptor, EPOLL_CTL_DEL, fd, nil)
    }

    /// Waits up to `timeoutMilliseconds` and returns the ready descriptors with their flags.
    func wait(into events: inout [epoll_event], timeoutMilliseconds: Int32) -> Int {
        let count = events.withUnsafeMutableBufferPointer { buffer in
            epoll_wait(descriptor, buffer.baseAddress, Int32(buffer.count), timeoutMilliseconds)
        }
        return max(0, Int(count))
    }

    private static func event(_ fd: Int32, readable: Bool, writable: Bool) -> epoll_event {
        var flags: UInt32 = UInt32(EPOLLRDHUP.rawValue)
        if readable { flags |= UInt32(EPOLLIN.rawValue) }
        if writable { flags |= UInt32(EPOLLOUT.rawValue) }
        var event = epoll_event()
        event.events = flags
        event.data.fd = fd
        return event
    }
}

/// An eventfd other threads write to so the I/O thread wakes from epoll_wait.
final class WakeupSignal: @unchecked Sendable {
    let descriptor: Int32

    init() throws {
        descriptor = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard descriptor >= 0 else { throw SystemError("eventfd") }
    }

    deinit { close(descriptor) }

    func signal() {
        var one: UInt64 = 1
        _ = write(descriptor, &one, 8)
    }

    func drain() {
        var value: UInt64 = 0
        _ = read(descriptor, &value, 8)
    }
}

/// The process's open-file limit.
enum DescriptorLimit {
    /// Raises the soft limit to at least `wanted` (never above the hard limit) and returns the
    /// limit in force afterwards.
    @discardableResult
    static func raise(to wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < rlim_t(wanted) {
            limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }
}
