#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import SasuraiCore
import SasuraiProtocol
import SasuraiStore

/// The Sasurai service: a store, its threads and the I/O loop, started and stopped as one.
public final class Server: @unchecked Sendable {
    public let services: ServerServices
    /// The port actually listened on (the one asked for, or the kernel's choice for port 0).
    public private(set) var port: UInt16 = 0
    /// Where the first planner token was written, when this start created one.
    public private(set) var plannerTokenPath: String?

    /// Readers: one per core. A read is a few indexed queries; more threads than cores only
    /// add lock hand-offs (measured: 4 readers on 2 cores spent 41% of their time on locks).
    static let readerCount = 2

    /// Descriptors the server needs besides its connections: the database and its WAL and
    /// shared-memory files on every connection, the listener, epoll, eventfd, a reserve, logs.
    static let reservedDescriptors = 64

    private var loop: EventLoop?
    private var writer: Writer?
    private var readers: ReaderPool?
    private var loopThread: Thread?
    private let stopped = DispatchSemaphore(value: 0)

    public init(configuration: ServerConfiguration, logger: Logger? = nil) {
        self.services = ServerServices(configuration: configuration,
                                       logger: logger ?? Logger(level: configuration.logLevel))
    }

    /// Opens (or creates) the database, makes the first planner token when there is none,
    /// binds the socket and starts serving on background threads.
    public func start() throws {
        let configuration = services.configuration
        let logger = services.logger
        let descriptors = DescriptorLimit.raise(to: configuration.maximumConnections + Self.reservedDescriptors)
        if descriptors < configuration.maximumConnections + Self.reservedDescriptors {
            logger.warning("descriptor_limit", ["limit": String(descriptors),
                                                "max_connections": String(configuration.maximumConnections),
                                                "hint": "raise the hard open-file limit or lower --max-connections"])
        }
        // With --synchronous full the server syncs the WAL itself, beside the writer
        // (CommitFlusher): SQLite's own FULL would make the writer wait for every sync.
        let path = configuration.databasePath
        // Migrations and the first token are committed by SQLite with the mode asked for,
        // before any reply can wait for the flusher.
        let store = try ScenarioStore.open(path: path, synchronous: configuration.synchronous)
        try bootstrap(store)
        let flushesItself = configuration.synchronous == .full && !store.database.isInMemory
        let sqliteSynchronous: Database.SynchronousMode = flushesItself ? .normal : configuration.synchronous
        if flushesItself { try store.database.execute("PRAGMA synchronous=\(sqliteSynchronous.rawValue)") }
        // The checkpointer and the writer checkpoint between batches (see Writer), so no
        // commit pays for one.
        try store.database.execute("PRAGMA wal_autocheckpoint=0")
        try Self.tune(store.database, cacheKibibytes: Self.writerCacheKibibytes)
        store.gathersStateVersionBumps = true
        let checkpointer = try Checkpointer(databasePath: path, synchronous: sqliteSynchronous, logger: logger)
        let flusher = flushesItself ? CommitFlusher(databasePath: path, logger: logger) : nil
        let writer = Writer(store: store, services: services, checkpointer: checkpointer, flusher: flusher)
        services.writer = writer
        services.flusher = flusher
        let readers = ReaderPool(services: services)
        try readers.start(databasePath: configuration.databasePath, count: Self.readerCount)
        let listener = try Socket.listen(host: configuration.host, port: configuration.port)
        port = Socket.boundPort(listener)
        let loop = try EventLoop(services: services, registry: try ServerCommands.registry(), readers: readers,
                                 writer: writer, listener: listener)
        self.writer = writer
        self.readers = readers
        self.loop = loop
        writer.start()
        let thread = Thread { [self] in
            loop.run()
            readers.stop()
            writer.stop()
            logger.info("stopped", [:])
            stopped.signal()
        }
        thread.name = "sasurai-io"
        thread.stackSize = 8 << 20
        loopThread = thread
        thread.start()
        startMaintenanceTimer()
        logger.info("listening", ["address": "\(configuration.host):\(port)", "db": configuration.databasePath,
                                  "synchronous": configuration.synchronous.rawValue.lowercased(),
                                  "max_connections": String(configuration.maximumConnections)])
    }

    /// Stops accepting, answers what is in flight, checkpoints and returns when all is closed.
    public func stop() {
        guard let loop else { return }
        maintenanceTimer?.cancel()
        loop.requestStop()
        stopped.wait()
        self.loop = nil
    }

    /// Blocks until SIGTERM or SIGINT, then stops cleanly.
    public func runUntilSignalled() {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let queue = DispatchQueue(label: "sasurai.signals")
        let sources = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                services.logger.info("signal", ["signal": number == SIGTERM ? "SIGTERM" : "SIGINT"])
                maintenanceTimer?.cancel()
                loop?.requestStop()
            }
            source.resume()
            return source
        }
        stopped.wait()
        sources.forEach { $0.cancel() }
    }

    // MARK: Start-up

    /// Marks runs cut off by a previous stop as failed, and issues the first planner token.
    private func bootstrap(_ store: ScenarioStore) throws {
        let logger = services.logger
        for record in try store.plans(limit: ProtocolLimits.maximumListLimit) where record.status == .running {
            try store.setPlanStatus(id: record.id, .failed)
            logger.warning("plan_abandoned", ["plan": String(record.id)])
        }
        guard try store.livePlannerTokenCount() == 0 else { return }
        let token = AccessToken.generate()
        let path = services.configuration.plannerTokenPath
        try Self.writeSecret(token + "\n", to: path)
        let id = try store.issueToken(role: .planner, subject: nil, hash: AccessToken.digest(of: token),
                                      label: "first planner token", actor: "system:bootstrap")
        plannerTokenPath = path
        logger.info("planner_token_created", ["token_id": String(id), "path": path])
    }

    /// Writes a file only the server's user can read, replacing any old one.
    static func writeSecret(_ text: String, to path: String) throws {
        unlink(path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SystemError("open \(path)") }
        defer { close(descriptor) }
        fchmod(descriptor, 0o600)
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw SystemError("write \(path)")
        }
    }

    // MARK: Maintenance

    private var maintenanceTimer: DispatchSourceTimer?

    /// Page cache of the writer's connection, in KiB: the indexes a write touches (requests
    /// keys, applications by freelancer and state, the audit log's tail) stay in memory.
    static let writerCacheKibibytes = 32 * 1024

    /// Page cache of each reader's connection, in KiB. A miss is a read from the kernel's
    /// cache of the same file, a few microseconds; a bigger cache only moved the moment the
    /// server's memory stops growing (a soak at 2,000 requests a second filled 64 MiB caches
    /// over minutes as the file grew), so the caches together stay near 64 MiB.
    static let readerCacheKibibytes = 16 * 1024

    /// Settings for the server's connections: temporary data (the statement journals of
    /// savepoints) in memory instead of files created and unlinked per write, and a page cache
    /// of `cacheKibibytes`.
    static func tune(_ database: Database, cacheKibibytes: Int) throws {
        try database.execute("PRAGMA temp_store=MEMORY")
        // PRAGMA takes no parameters; the value is one of the constants above.
        try database.execute("PRAGMA cache_size=-\(cacheKibibytes)")
    }

    /// Once a second, through the writer: a checkpoint (for quiet times, when no batch triggers
    /// one), expiry of unanswered offers and, hourly, forgetting old request keys.
    private func startMaintenanceTimer() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "sasurai.maintenance"))
        timer.schedule(deadline: .now() + 1, repeating: 1)
        var tick = 0
        timer.setEventHandler { [services] in
            tick += 1
            guard let writer = services.writer, writer.backlog < Writer.maximumBatch else { return }
            writer.submitCheckpoint()
            writer.submitMaintenance("expire_offers") { store in
                let expired = try store.expireOffers()
                if !expired.isEmpty { services.logger.info("offers_expired", ["count": String(expired.count)]) }
            }
            if tick % 3_600 == 1 {
                writer.submitMaintenance("forget_request_keys") { store in
                    try RequestKeys.forgetOld(store, now: Date())
                }
            }
        }
        timer.resume()
        maintenanceTimer = timer
    }
}
