#if canImport(Glibc)
import Glibc
import CLinuxEvents
#endif
import Foundation
import SasuraiCore
import SasuraiProtocol
import SasuraiStore

/// The I/O thread: accepts connections, frames and checks requests, hands them to the store
/// threads, and writes replies, all on one epoll loop.
///
/// Only this thread touches connections. Store threads report back through `completions` and
/// the eventfd, so no connection state is ever shared between threads.
final class EventLoop: @unchecked Sendable {
    private let services: ServerServices
    private let registry: CommandRegistry<CommandHandler>
    private let readers: ReaderPool
    private let writer: Writer
    private let listener: Int32
    private let poller: Poller
    private let wakeup: WakeupSignal

    private var connections: [Int32: Connection] = [:]
    private var connectionsByID: [UInt64: Connection] = [:]
    private var nextConnectionID: UInt64 = 1
    private var lastSweep = ContinuousClock.now

    private struct Completion {
        let connectionID: UInt64
        let command: CommandName?
        let outcome: CommandOutcome
    }

    /// Replies to failed AUTH attempts held back until their time (`ProtocolLimits`).
    private var heldReplies: [(connectionID: UInt64, until: ContinuousClock.Instant, outcome: CommandOutcome)] = []
    /// Connections turned away before a request, by reason, since the last audit row for them.
    private var refusedConnections: [String: Int] = [:]

    private let completionLock = NSLock()
    private var completions: [Completion] = []
    private var stopRequested = false

    /// How long shutdown waits for requests in flight before closing anyway.
    static let shutdownGraceSeconds = 30

    init(services: ServerServices, registry: CommandRegistry<CommandHandler>, readers: ReaderPool, writer: Writer,
         listener: Int32) throws {
        self.services = services
        self.registry = registry
        self.readers = readers
        self.writer = writer
        self.listener = listener
        self.poller = try Poller()
        self.wakeup = try WakeupSignal()
        try poller.add(listener)
        try poller.add(wakeup.descriptor)
    }

    /// Asks the loop to stop; safe from any thread.
    func requestStop() {
        completionLock.lock()
        stopRequested = true
        completionLock.unlock()
        wakeup.signal()
    }

    private var isStopRequested: Bool {
        completionLock.lock()
        defer { completionLock.unlock() }
        return stopRequested
    }

    // MARK: Loop

    /// Runs until `requestStop`, then answers what is in flight and closes every connection.
    func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 65_536)
        defer { buffer.deallocate() }
        while !isStopRequested {
            let count = poller.wait(into: &events, timeoutMilliseconds: pollTimeoutMilliseconds())
            for index in 0..<count {
                let event = events[index]
                let fd = event.data.fd
                if fd == listener {
                    acceptConnections()
                } else if fd == wakeup.descriptor {
                    wakeup.drain()
                } else if let connection = connections[fd] {
                    handle(event.events, on: connection, buffer: buffer)
                }
            }
            deliverCompletions()
            releaseHeldReplies()
            sweepTimers()
        }
        shutDown()
    }

    /// A quarter second for the timers, less when a held reply is due sooner.
    private func pollTimeoutMilliseconds() -> Int32 {
        guard let due = heldReplies.map(\.until).min() else { return 250 }
        let wait = due - .now
        if wait <= .zero { return 0 }
        return Int32(min(250, wait.wholeMilliseconds + 1))
    }

    private func shutDown() {
        poller.remove(listener)
        close(listener)
        services.logger.info("stopping", ["connections": String(connections.count)])
        // Nothing new starts; requests already handed to a store thread get their reply.
        let deadline = ContinuousClock.now + .seconds(Self.shutdownGraceSeconds)
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        while connections.values.contains(where: { $0.isWaitingForReply || $0.pendingOutgoingBytes > 0 }),
              ContinuousClock.now < deadline {
            let count = poller.wait(into: &events, timeoutMilliseconds: 50)
            for index in 0..<count where events[index].data.fd == wakeup.descriptor { wakeup.drain() }
            deliverCompletions(startingNewRequests: false)
            releaseHeldReplies(all: true)
            for connection in Array(connections.values) where connection.pendingOutgoingBytes > 0 {
                flush(connection)
            }
        }
        for connection in Array(connections.values) { closeConnection(connection, reason: "shutdown") }
    }

    // MARK: Accepting

    /// A descriptor held in reserve: when the process runs out of descriptors, closing it lets
    /// the loop accept the waiting client, tell it BUSY and close it, instead of spinning on a
    /// listener that stays readable.
    private var reserveDescriptor: Int32 = open("/dev/null", O_RDONLY | O_CLOEXEC)
    private var lastDescriptorWarning = ContinuousClock.now - .seconds(60)

    private func acceptConnections() {
        while true {
            let accepted = Socket.accept(listener)
            guard case .connection(let descriptor) = accepted else {
                if case .outOfDescriptors = accepted { shedOneConnection() }
                return
            }
            if connections.count >= services.configuration.maximumConnections {
                // One line saying why, then close, so the client does not hang.
                let reply = Reply.error(.tooManyConnections(limit: services.configuration.maximumConnections)).encoded
                _ = Socket.send(descriptor, reply, from: 0)
                close(descriptor)
                refusedConnections["limit", default: 0] += 1
                services.logger.warning("connection_refused", ["reason": "limit",
                                                                "limit": String(services.configuration.maximumConnections)])
                continue
            }
            let connection = Connection(id: nextConnectionID, descriptor: descriptor,
                                        peer: Socket.peerName(descriptor), now: .now)
            nextConnectionID += 1
            do {
                try poller.add(descriptor)
            } catch {
                close(descriptor)
                continue
            }
            connections[descriptor] = connection
            connectionsByID[connection.id] = connection
            services.setConnectionCount(connections.count)
            services.logger.debug("connection_opened", ["connection": String(connection.id), "peer": connection.peer])
        }
    }

    private func shedOneConnection() {
        let now = ContinuousClock.now
        if now - lastDescriptorWarning > .seconds(10) {
            lastDescriptorWarning = now
            services.logger.warning("out_of_descriptors", ["connections": String(connections.count),
                                                            "hint": "raise the open-file limit (ulimit -n)"])
        }
        guard reserveDescriptor >= 0 else { return }
        close(reserveDescriptor)
        if case .connection(let descriptor) = Socket.accept(listener) {
            let reply = Reply.error(ProtocolError(.busy, "the server is out of file descriptors; try again later",
                                                  closesConnection: true)).encoded
            _ = Socket.send(descriptor, reply, from: 0)
            close(descriptor)
            refusedConnections["descriptors", default: 0] += 1
        }
        reserveDescriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    // MARK: Reading

    private func handle(_ flags: UInt32, on connection: Connection, buffer: UnsafeMutableBufferPointer<UInt8>) {
        if flags & UInt32(EPOLLOUT.rawValue) != 0 {
            flush(connection)
            guard connections[connection.descriptor] === connection else { return }
        }
        let readable = UInt32(EPOLLIN.rawValue) | UInt32(EPOLLRDHUP.rawValue) | UInt32(EPOLLHUP.rawValue)
            | UInt32(EPOLLERR.rawValue)
        guard flags & readable != 0, connection.isReading, !connection.peerClosedInput else { return }
        let count = read(connection.descriptor, buffer.baseAddress, buffer.count)
        if count > 0 {
            connection.receive(UnsafeBufferPointer(rebasing: buffer[0..<count]), now: .now)
            process(connection)
        } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            // The peer is done sending. A line still open is dropped; complete ones are answered.
            connection.peerClosedInput = true
            if count < 0 {
                closeConnection(connection, reason: "read_error")
                return
            }
            process(connection)
        }
    }

    /// Answers the connection's complete lines in order until one needs a store thread.
    private func process(_ connection: Connection, startingNewRequests: Bool = true) {
        while startingNewRequests && !connection.isWaitingForReply && !connection.closeAfterFlush {
            guard let event = connection.codec.nextEvent() else { break }
            let limit = connection.principal.maximumLineBytes
            switch event {
            case .tooLong:
                finish(connection, nil, CommandOutcome(.error(.lineTooLong(limit: limit))))
            case .line(let line) where line.count > limit:
                finish(connection, nil, CommandOutcome(.error(.lineTooLong(limit: limit))))
            case .line(let line):
                handleLine(line, on: connection)
            }
        }
        // flush ends with updateInterest; calling it first would switch output interest on and
        // off again around every reply (two epoll_ctl calls per request for nothing).
        flush(connection)
    }

    private func handleLine(_ line: [UInt8], on connection: Connection) {
        if let tokenID = connection.tokenID, services.isRevoked(tokenID) {
            // A revoked token stops working at the connection's next request.
            connection.authenticate(.anonymous, tokenID: nil)
        }
        let request: ResolvedRequest
        switch registry.table.resolve(line: line, principal: connection.principal) {
        case .failure(let error):
            if Self.isAuthenticationLine(line) && (error.code == .invalid || error.code == .unauthorized) {
                finish(connection, CommandName("AUTH"), CommandOutcome(.error(error)))
            } else {
                finish(connection, registry.table.commandName(inLine: line), CommandOutcome(.error(error)))
            }
            return
        case .success(let resolved):
            request = resolved
        }
        guard let handler = registry.handler(for: request.name) else {
            finish(connection, request.name, CommandOutcome(.error(ProtocolError(.serverError, "\(request.name) has no handler"))))
            return
        }
        let session = connection.session
        let connectionID = connection.id
        let name = request.name
        let completion: @Sendable (CommandOutcome) -> Void = { [self] outcome in
            complete(connectionID, name, outcome)
        }
        switch handler {
        case .immediate(let body):
            finish(connection, name, body(session, request, services))
        case .read(let body):
            connection.isWaitingForReply = true
            if !readers.submit(StoreJob(session: session, request: request, body: body, completion: completion)) {
                connection.isWaitingForReply = false
                finish(connection, name, CommandOutcome(.error(ProtocolError(.busy, "the server is stopping"))))
            }
        case .write(let body):
            connection.isWaitingForReply = true
            // Only a keyed request of a signed-in session is remembered (RequestKeys.run).
            let digest = request.requestKey == nil || session.tokenID == nil ? nil : RequestKeys.digest(of: request)
            if !writer.submit(StoreJob(session: session, request: request, body: body, completion: completion,
                                       requestDigest: digest)) {
                connection.isWaitingForReply = false
                finish(connection, name, CommandOutcome(.error(ProtocolError(.busy, "the server is stopping"))))
            }
        case .background(let body):
            connection.isWaitingForReply = true
            let services = self.services
            let thread = Thread {
                let outcome: CommandOutcome
                do {
                    let store = try ScenarioStore.open(path: services.configuration.databasePath,
                                                       synchronous: services.configuration.synchronous)
                    outcome = try body(RequestContext(request: request, session: session, store: store, services: services))
                } catch {
                    outcome = CommandOutcome(.error(ErrorMapping.protocolError(for: error, logger: services.logger)))
                }
                completion(outcome)
            }
            thread.name = "sasurai-background"
            thread.start()
        }
    }

    static func isAuthenticationLine(_ line: [UInt8]) -> Bool {
        var index = 0
        while index < line.count && line[index] == 0x20 { index += 1 }
        let word = Array("AUTH".utf8)
        guard line.count >= index + word.count, Array(line[index..<(index + word.count)]) == word else { return false }
        return line.count == index + word.count || line[index + word.count] == 0x20 || line[index + word.count] == UInt8(ascii: "{")
    }

    /// Queues a reply and applies what it changes about the connection.
    ///
    /// A refusal passes here twice: first it is handed to the writer for its audit row, with the
    /// connection waiting as for a write; when the row is committed it comes back marked
    /// recorded and is sent (a failed AUTH's after its delay).
    private func finish(_ connection: Connection, _ command: CommandName?, _ outcome: CommandOutcome) {
        var outcome = outcome
        if !outcome.refusalRecorded {
            noteAuthentication(connection, command, &outcome)
            if case .error(let error) = outcome.reply {
                if error.fault == .server {
                    services.logger.error("request_failed", ["connection": String(connection.id),
                                                             "command": command?.description ?? "-",
                                                             "code": error.code.rawValue])
                } else if recordRefusal(error, to: connection, command: command, outcome: outcome) {
                    return
                }
            }
        }
        if command == CommandName("AUTH"), case .error = outcome.reply, !outcome.reply.closesConnection,
           connection.failedAuthentications > 0 {
            connection.isWaitingForReply = true
            heldReplies.append((connection.id, .now + ProtocolLimits.failedAuthenticationDelay(after: connection.failedAuthentications),
                                outcome))
            return
        }
        send(outcome, on: connection)
    }

    private func send(_ outcome: CommandOutcome, on connection: Connection) {
        connection.queue(outcome.reply)
        if outcome.reply.closesConnection || outcome.closesConnection { connection.closeAfterFlush = true }
    }

    /// AUTH's effect on the connection: its new role, or one more failure counted.
    private func noteAuthentication(_ connection: Connection, _ command: CommandName?, _ outcome: inout CommandOutcome) {
        guard command == CommandName("AUTH") else { return }
        if let authenticated = outcome.authenticated {
            connection.authenticate(authenticated.principal, tokenID: authenticated.tokenID)
            services.logger.info("authenticated", ["connection": String(connection.id),
                                                   "actor": connection.session.actor])
        } else if case .error = outcome.reply {
            // A failed AUTH leaves the connection as anyone, whatever it was before.
            connection.authenticate(.anonymous, tokenID: nil)
            connection.failedAuthentications += 1
            services.logger.warning("authentication_failed", ["connection": String(connection.id),
                                                              "peer": connection.peer,
                                                              "attempt": String(connection.failedAuthentications)])
            if connection.failedAuthentications >= ProtocolLimits.maximumFailedAuthentications {
                outcome.reply = .error(.tooManyFailedAuthentications)
            }
        }
    }

    /// Hands the refusal's audit row to the writer; its reply follows once the row is committed.
    /// False when the writer takes no more work (the server is stopping): send it now.
    private func recordRefusal(_ error: ProtocolError, to connection: Connection, command: CommandName?,
                               outcome: CommandOutcome) -> Bool {
        var recorded = outcome
        recorded.refusalRecorded = true
        let connectionID = connection.id
        let accepted = writer.submitRefusal(RefusalAudit(refusing: command, with: error, to: connection.session)) { [self, recorded] in
            complete(connectionID, command, recorded)
        }
        if accepted { connection.isWaitingForReply = true }
        return accepted
    }

    /// Sends the held AUTH replies that are due (all of them when stopping).
    private func releaseHeldReplies(all: Bool = false) {
        guard !heldReplies.isEmpty else { return }
        let now = ContinuousClock.now
        var waiting: [(connectionID: UInt64, until: ContinuousClock.Instant, outcome: CommandOutcome)] = []
        for held in heldReplies {
            guard all || held.until <= now else {
                waiting.append(held)
                continue
            }
            guard let connection = connectionsByID[held.connectionID] else { continue }
            connection.isWaitingForReply = false
            send(held.outcome, on: connection)
            process(connection, startingNewRequests: !all)
        }
        heldReplies = waiting
    }

    // MARK: Completions from store threads

    private func complete(_ connectionID: UInt64, _ command: CommandName?, _ outcome: CommandOutcome) {
        completionLock.lock()
        completions.append(Completion(connectionID: connectionID, command: command, outcome: outcome))
        completionLock.unlock()
        wakeup.signal()
    }

    private func deliverCompletions(startingNewRequests: Bool = true) {
        completionLock.lock()
        let batch = completions
        completions.removeAll(keepingCapacity: true)
        completionLock.unlock()
        for completion in batch {
            // The client may have gone while its request ran; the write stands, the reply is dropped.
            guard let connection = connectionsByID[completion.connectionID] else { continue }
            connection.isWaitingForReply = false
            finish(connection, completion.command, completion.outcome)
            process(connection, startingNewRequests: startingNewRequests)
        }
    }

    // MARK: Writing

    private func flush(_ connection: Connection) {
        if connection.pendingOutgoingBytes > 0 {
            guard let sent = Socket.send(connection.descriptor, connection.outgoing, from: connection.outgoingOffset) else {
                closeConnection(connection, reason: "write_error")
                return
            }
            connection.outgoingOffset += sent
            if sent > 0 { connection.lastActivity = .now }
        }
        if connection.pendingOutgoingBytes == 0 {
            if connection.closeAfterFlush || (connection.peerClosedInput && !connection.isWaitingForReply
                                              && connection.codec.pendingEventCount == 0) {
                closeConnection(connection, reason: connection.closeAfterFlush ? "closed_by_server" : "closed_by_peer")
                return
            }
        } else if connection.pendingOutgoingBytes > ProtocolLimits.maximumPendingReplyBytes {
            closeConnection(connection, reason: "not_reading_replies")
            return
        }
        updateInterest(connection)
    }

    /// Reads only while fewer than `maximumPipelinedRequests` lines wait, so a pipelining
    /// client is held back by TCP flow control instead of by server memory.
    private func updateInterest(_ connection: Connection) {
        let wantsInput = !connection.peerClosedInput && !connection.closeAfterFlush
            && connection.codec.pendingEventCount < ProtocolLimits.maximumPipelinedRequests
        let wantsOutput = connection.pendingOutgoingBytes > 0
        if wantsInput != connection.isReading || wantsOutput != connection.isWatchingOutput {
            connection.isReading = wantsInput
            connection.isWatchingOutput = wantsOutput
            poller.modify(connection.descriptor, readable: wantsInput, writable: wantsOutput)
        }
    }

    private func closeConnection(_ connection: Connection, reason: String) {
        guard connections[connection.descriptor] === connection else { return }
        poller.remove(connection.descriptor)
        close(connection.descriptor)
        connections[connection.descriptor] = nil
        connectionsByID[connection.id] = nil
        services.setConnectionCount(connections.count)
        services.logger.debug("connection_closed", ["connection": String(connection.id), "reason": reason])
    }

    // MARK: Timers

    /// Closes idle connections and those whose line did not finish in time, twice a second.
    private func sweepTimers() {
        let now = ContinuousClock.now
        guard now - lastSweep >= .milliseconds(500) else { return }
        lastSweep = now
        for (reason, count) in refusedConnections.sorted(by: { $0.key < $1.key }) {
            writer.submitRefusal(RefusalAudit(refusedConnections: count, reason: reason))
        }
        refusedConnections.removeAll()
        let idleLimit = Duration.seconds(services.configuration.idleTimeoutSeconds)
        let lineLimit = Duration.seconds(services.configuration.lineDeadlineSeconds)
        for connection in Array(connections.values) {
            if let started = connection.lineStarted, now - started > lineLimit, !connection.closeAfterFlush {
                services.logger.info("line_deadline", ["connection": String(connection.id), "peer": connection.peer])
                let error = ProtocolError.lineDeadlineExceeded(seconds: services.configuration.lineDeadlineSeconds)
                // The cut-off is sent at once, not after its audit row: the client is the one
                // holding the connection open, and a reply it is waiting for may come first.
                writer.submitRefusal(RefusalAudit(refusing: nil, with: error, to: connection.session))
                connection.queue(.error(error))
                connection.closeAfterFlush = true
                connection.lineStarted = nil
                flush(connection)
            } else if !connection.isWaitingForReply, connection.pendingOutgoingBytes == 0,
                      now - connection.lastActivity > idleLimit {
                closeConnection(connection, reason: "idle")
            }
        }
    }
}
