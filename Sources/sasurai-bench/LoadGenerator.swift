#if canImport(Glibc)
import Glibc
import CLinuxEvents
#endif
import Foundation

/// What a load run is asked to do.
struct LoadSettings {
    var address: sockaddr_in
    var connections = 50
    var threads = 1
    /// Requests in the whole run (split over the threads); Int.max when only a duration bounds it.
    var requests = 100_000
    var durationNanoseconds: UInt64?
    var pipeline = 1
    var template: CommandTemplate
    var token: String?
    var firstNumber = 0
    /// No reply for this long ends the run as a failure.
    var stallNanoseconds: UInt64 = 30_000_000_000
}

/// One connection of a load worker.
final class LoadConnection {
    enum Phase { case connecting, authenticating, ready, closed }

    let descriptor: Int32
    /// The connection's index over the whole run (`{c}`).
    let index: Int
    /// Its slot in the worker's array (the epoll tag).
    let slot: Int
    var phase = Phase.connecting

    /// Send times of the requests in flight, oldest first (a ring of `pipeline` entries).
    let sendTimes: UnsafeMutablePointer<UInt64>
    let ringCapacity: Int
    var ringHead = 0
    var inFlight = 0

    /// Bytes not yet taken by the socket.
    var pendingOutput: [UInt8] = []
    var watchingOutput = false

    /// Reply parsing: whether the next byte starts a line, and what the current line is.
    var atLineStart = true
    var lineIsError = false
    var capturing = false
    var captured: [UInt8] = []

    init(descriptor: Int32, index: Int, slot: Int, pipeline: Int) {
        self.descriptor = descriptor
        self.index = index
        self.slot = slot
        ringCapacity = max(1, pipeline)
        sendTimes = .allocate(capacity: ringCapacity)
    }

    deinit { sendTimes.deallocate() }

    @inline(__always)
    func pushSendTime(_ time: UInt64) {
        var tail = ringHead + inFlight
        if tail >= ringCapacity { tail -= ringCapacity }
        sendTimes[tail] = time
        inFlight += 1
    }

    @inline(__always)
    func popSendTime() -> UInt64 {
        let time = sendTimes[ringHead]
        ringHead += 1
        if ringHead == ringCapacity { ringHead = 0 }
        inFlight -= 1
        return time
    }
}

/// The counts one worker (one thread, one epoll loop) ends with.
struct LoadResult {
    var histogram = LatencyHistogram()
    var replies = 0
    var errors = 0
    var unsolicited = 0
    var lost = 0
    var closedConnections = 0
    var firstError: String?
    var failure: String?
    var endTime: UInt64 = 0
    var issued = 0
}

/// One thread's share of the connections, driven by its own epoll loop.
///
/// Each connection keeps `pipeline` requests in flight: it sends that many, and sends one more
/// for every reply (all the replies of one read are answered with one write). Latency is from
/// the write that carried a request to the read that completed its reply line.
final class LoadWorker: @unchecked Sendable {
    let settings: LoadSettings
    let workerIndex: Int
    let budget: Int
    var connections: [LoadConnection] = []
    let poller: EventPoller
    let readBuffer: UnsafeMutablePointer<UInt8>
    static let readBufferSize = 256 * 1024
    var sendBuffer: [UInt8] = []
    var result = LoadResult()
    var stopIssuing = false
    var deadline: UInt64 = .max
    var localIssued = 0
    var openConnections = 0

    init(settings: LoadSettings, workerIndex: Int, connectionIndexes: [Int], budget: Int) throws {
        self.settings = settings
        self.workerIndex = workerIndex
        self.budget = budget
        poller = try EventPoller(capacity: max(64, connectionIndexes.count))
        readBuffer = .allocate(capacity: Self.readBufferSize)
        sendBuffer.reserveCapacity(4_096)
        for (slot, index) in connectionIndexes.enumerated() {
            let descriptor = try startConnection(to: settings.address)
            let connection = LoadConnection(descriptor: descriptor, index: index, slot: slot, pipeline: settings.pipeline)
            connections.append(connection)
            try poller.add(descriptor, tag: UInt64(slot), readable: true, writable: true)
            connection.watchingOutput = true
        }
        openConnections = connections.count
    }

    deinit {
        for connection in connections where connection.phase != .closed { close(connection.descriptor) }
        readBuffer.deallocate()
    }

    // MARK: Setting up

    /// Waits until every connection is connected (and authenticated); throws on any failure.
    func setUp(timeoutNanoseconds: UInt64 = 15_000_000_000) throws {
        let authLine = settings.token.map { Array("AUTH \($0)\n".utf8) }
        var ready = 0
        let limit = monotonicNanoseconds() + timeoutNanoseconds
        while ready < connections.count {
            if monotonicNanoseconds() > limit {
                throw BenchError("only \(ready) of \(connections.count) connections were ready after \(timeoutNanoseconds / 1_000_000_000) s")
            }
            let count = poller.wait(milliseconds: 100)
            for eventIndex in 0..<count {
                let event = poller.events[eventIndex]
                let connection = connections[Int(event.data.u64)]
                switch connection.phase {
                case .connecting:
                    guard event.events & UInt32(EPOLLOUT.rawValue) != 0
                            || event.events & UInt32(EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 else { continue }
                    let error = connectionError(connection.descriptor)
                    if error != 0 { throw BenchError("connect to port \(UInt16(bigEndian: settings.address.sin_port)): \(errnoText(error))") }
                    poller.modify(connection.descriptor, tag: UInt64(connection.slot), readable: true, writable: false)
                    connection.watchingOutput = false
                    if let authLine {
                        let sent = authLine.withUnsafeBytes { sendSome(connection.descriptor, $0) }
                        guard sent == authLine.count else { throw BenchError("could not send AUTH") }
                        connection.phase = .authenticating
                    } else {
                        connection.phase = .ready
                        ready += 1
                    }
                case .authenticating:
                    let line = try readSetupLine(connection)
                    guard let line else { continue }
                    guard line.hasPrefix("OK") || line.hasPrefix("+") else {
                        throw BenchError("AUTH was refused: \(line)")
                    }
                    connection.phase = .ready
                    ready += 1
                case .ready:
                    // A server at its connection limit says so at once and closes.
                    if event.events & UInt32(EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
                        let line = try readSetupLine(connection)
                        throw BenchError("the server spoke first: \(line ?? "(connection closed)")")
                    }
                case .closed:
                    break
                }
            }
        }
    }

    /// Reads one whole reply line during set-up (they are short and come in one segment).
    private func readSetupLine(_ connection: LoadConnection) throws -> String? {
        var bytes: [UInt8] = []
        while true {
            let count = read(connection.descriptor, readBuffer, Self.readBufferSize)
            if count > 0 {
                bytes.append(contentsOf: UnsafeBufferPointer(start: readBuffer, count: count))
                if bytes.last == 0x0A { break }
                continue
            }
            if count == 0 { throw BenchError("the server closed a connection during set-up" + (bytes.isEmpty ? "" : ": " + String(decoding: bytes, as: UTF8.self))) }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                if bytes.isEmpty { return nil }
                usleep(1_000)
                continue
            }
            throw BenchError("read: \(errnoText())")
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Running

    func run(startTime: UInt64) {
        if let duration = settings.durationNanoseconds { deadline = startTime + duration }
        var lastProgress = startTime
        for connection in connections { fill(connection, now: monotonicNanoseconds()) }
        while true {
            if stopIssuing || result.issued >= budget {
                if result.replies + result.lost >= result.issued { break }
            }
            if openConnections == 0 {
                result.failure = result.failure ?? "every connection was closed by the server"
                break
            }
            let count = poller.wait(milliseconds: 50)
            let now = monotonicNanoseconds()
            if now >= deadline && !stopIssuing { stopIssuing = true }
            if count == 0 {
                if now - lastProgress > settings.stallNanoseconds {
                    result.failure = "no reply for \((now - lastProgress) / 1_000_000_000) s with \(result.issued - result.replies - result.lost) requests unanswered"
                    break
                }
                continue
            }
            let repliesBefore = result.replies
            for eventIndex in 0..<count {
                let event = poller.events[eventIndex]
                let connection = connections[Int(event.data.u64)]
                guard connection.phase == .ready else { continue }
                if event.events & UInt32(EPOLLOUT.rawValue) != 0 { flushPending(connection) }
                if event.events & UInt32(EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue | EPOLLRDHUP.rawValue) != 0 {
                    receive(connection)
                }
            }
            if result.replies != repliesBefore { lastProgress = monotonicNanoseconds() }
        }
        result.endTime = monotonicNanoseconds()
    }

    /// Reads what has arrived, completes every whole reply line, then tops the pipeline up.
    @inline(__always)
    private func receive(_ connection: LoadConnection) {
        let count = read(connection.descriptor, readBuffer, Self.readBufferSize)
        if count <= 0 {
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
            closeConnection(connection)
            return
        }
        let now = monotonicNanoseconds()
        var position = 0
        while position < count {
            if connection.atLineStart {
                connection.atLineStart = false
                connection.lineIsError = isErrorReplyStart(readBuffer[position])
                if connection.lineIsError && result.firstError == nil {
                    connection.capturing = true
                    connection.captured.removeAll()
                }
            }
            guard let newline = memchr(readBuffer + position, 0x0A, count - position) else {
                if connection.capturing, connection.captured.count < 1_024 {
                    connection.captured.append(contentsOf: UnsafeBufferPointer(start: readBuffer + position, count: count - position))
                }
                break
            }
            let end = newline.assumingMemoryBound(to: UInt8.self) - readBuffer
            if connection.capturing {
                connection.captured.append(contentsOf: UnsafeBufferPointer(start: readBuffer + position, count: end - position))
                connection.capturing = false
                if result.firstError == nil {
                    result.firstError = String(decoding: connection.captured.prefix(1_024), as: UTF8.self)
                        .trimmingCharacters(in: .whitespacesAndNewlines)
                }
            }
            if connection.lineIsError { result.errors += 1 }
            if connection.inFlight > 0 {
                let sent = connection.popSendTime()
                result.histogram.record(now &- sent)
                result.replies += 1
            } else {
                result.unsolicited += 1
            }
            connection.atLineStart = true
            position = end + 1
        }
        fill(connection, now: now)
    }

    /// Sends requests until `pipeline` are in flight (one write for all of them).
    @inline(__always)
    private func fill(_ connection: LoadConnection, now: UInt64) {
        guard connection.phase == .ready, connection.pendingOutput.isEmpty else { return }
        if now >= deadline { stopIssuing = true }
        if stopIssuing { return }
        var added = 0
        sendBuffer.removeAll(keepingCapacity: true)
        while connection.inFlight + added < settings.pipeline && result.issued < budget {
            let number = settings.firstNumber + workerIndex + settings.threads * localIssued
            settings.template.render(into: &sendBuffer, number: number, connection: connection.index)
            localIssued += 1
            result.issued += 1
            added += 1
        }
        guard added > 0 else { return }
        let sendTime = monotonicNanoseconds()
        for _ in 0..<added { connection.pushSendTime(sendTime) }
        let sent = sendBuffer.withUnsafeBytes { sendSome(connection.descriptor, $0) }
        guard let sent else {
            closeConnection(connection)
            return
        }
        if sent < sendBuffer.count {
            connection.pendingOutput = Array(sendBuffer[sent...])
            connection.watchingOutput = true
            poller.modify(connection.descriptor, tag: UInt64(connection.slot), readable: true, writable: true)
        }
    }

    private func flushPending(_ connection: LoadConnection) {
        guard !connection.pendingOutput.isEmpty else { return }
        let sent = connection.pendingOutput.withUnsafeBytes { sendSome(connection.descriptor, $0) }
        guard let sent else {
            closeConnection(connection)
            return
        }
        connection.pendingOutput.removeFirst(sent)
        if connection.pendingOutput.isEmpty {
            connection.watchingOutput = false
            poller.modify(connection.descriptor, tag: UInt64(connection.slot), readable: true, writable: false)
            fill(connection, now: monotonicNanoseconds())
        }
    }

    private func closeConnection(_ connection: LoadConnection) {
        guard connection.phase != .closed else { return }
        poller.remove(connection.descriptor)
        close(connection.descriptor)
        connection.phase = .closed
        result.lost += connection.inFlight
        result.closedConnections += 1
        connection.inFlight = 0
        openConnections -= 1
    }
}

/// Runs the load: set up every worker, start them together, merge what they measured.
struct LoadRun {
    let settings: LoadSettings

    struct Summary {
        var replies = 0
        var errors = 0
        var unsolicited = 0
        var lost = 0
        var closedConnections = 0
        var firstError: String?
        var failure: String?
        var seconds = 0.0
        var histogram = LatencyHistogram()
        var requestsPerSecond: Double { seconds > 0 ? Double(replies) / seconds : 0 }
    }

    func run() throws -> Summary {
        raiseOpenFileLimit(to: settings.connections + 64)
        var workers: [LoadWorker] = []
        let threads = min(settings.threads, settings.connections)
        for workerIndex in 0..<threads {
            let indexes = Array(stride(from: workerIndex, to: settings.connections, by: threads))
            var budget = Int.max
            if settings.requests != Int.max {
                budget = settings.requests / threads + (workerIndex < settings.requests % threads ? 1 : 0)
            }
            var local = settings
            local.threads = threads
            workers.append(try LoadWorker(settings: local, workerIndex: workerIndex, connectionIndexes: indexes, budget: budget))
        }
        let ready = DispatchGroup()
        let done = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        let failures = FailureBox()
        let start = StartTime()
        for worker in workers {
            ready.enter()
            done.enter()
            let thread = Thread {
                do {
                    try worker.setUp()
                } catch {
                    failures.set(String(describing: error))
                }
                ready.leave()
                go.wait()
                if failures.value == nil { worker.run(startTime: start.value) }
                done.leave()
            }
            thread.name = "load-\(worker.workerIndex)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        ready.wait()
        start.value = monotonicNanoseconds()
        for _ in workers { go.signal() }
        done.wait()
        if let failure = failures.value { throw BenchError(failure) }
        var summary = Summary()
        var end: UInt64 = start.value
        for worker in workers {
            let result = worker.result
            summary.histogram.merge(result.histogram)
            summary.replies += result.replies
            summary.errors += result.errors
            summary.unsolicited += result.unsolicited
            summary.lost += result.lost
            summary.closedConnections += result.closedConnections
            summary.firstError = summary.firstError ?? result.firstError
            summary.failure = summary.failure ?? result.failure
            end = max(end, result.endTime)
        }
        summary.seconds = Double(end - start.value) / 1e9
        return summary
    }
}

final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    func set(_ text: String) { lock.lock(); if stored == nil { stored = text }; lock.unlock() }
    var value: String? { lock.lock(); defer { lock.unlock() }; return stored }
}

/// Written once by the main thread before the workers are released (the semaphore orders it).
final class StartTime: @unchecked Sendable {
    var value: UInt64 = 0
}
