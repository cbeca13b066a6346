import Foundation
import SasuraiProtocol
import SasuraiStore

/// A request handed to a store thread, and where its outcome goes.
struct StoreJob: @unchecked Sendable {
    let session: Session
    let request: ResolvedRequest
    let body: @Sendable (RequestContext) throws -> CommandOutcome
    let completion: @Sendable (CommandOutcome) -> Void
    /// `RequestKeys.digest(of: request)` for a write with a request key, computed by the I/O
    /// thread before the job is queued, so the one writer thread does not spend its time on it.
    var requestDigest: [UInt8]? = nil
}

/// A queue of work with one condition variable, shared by the executor threads.
final class JobQueue<Job>: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var head = 0
    private var closed = false

    /// Adds a job; false when the queue no longer takes work (the server is stopping).
    @discardableResult
    func push(_ job: Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Waits for work and takes up to `limit` jobs; empty once closed and drained.
    func take(limit: Int) -> [Job] {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count && !closed { condition.wait() }
        let end = min(jobs.count, head + limit)
        let batch = Array(jobs[head..<end])
        head = end
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 4_096 {
            jobs.removeFirst(head)
            head = 0
        }
        return batch
    }

    /// Stops taking new jobs; threads finish the queued ones and then see an empty batch.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }
}

/// The one connection that writes, with group commit.
///
/// Every write of every client goes through this thread. It takes all the writes waiting (up
/// to `maximumBatch`), runs each in its own savepoint inside one transaction, commits once, and
/// only then lets the replies go out. Durably: one WAL fsync for the whole batch instead of one
/// per write, which is what lets durable writes keep up with many clients, and with a
/// `CommitFlusher` that fsync runs beside the next batch instead of before it. A write that
/// fails rolls back its savepoint alone, and a commit that fails turns every reply of the
/// batch into SERVER_ERROR, since none of them took effect.
final class Writer: @unchecked Sendable {
    enum Job {
        case request(StoreJob)
        /// Internal writes: finishing a plan run, expiring offers.
        case maintenance(name: String, body: @Sendable (ScenarioStore) throws -> Void)
        /// Copy the WAL into the database now (sent by the once-a-second timer for idle times).
        case checkpoint
        /// A refusal's audit row; `completion` runs once the batch holding it has ended.
        case refusal(RefusalAudit, completion: (@Sendable () -> Void)?)
    }

    /// Longest time between checkpoints while writes keep coming. The bulk of each checkpoint
    /// runs on the `Checkpointer`'s connection while the writer goes on; the writer itself
    /// only copies the frames written during that pass, which lets its next transaction start
    /// the WAL file over (a checkpoint on another connection alone never catches up with a
    /// busy writer, and the WAL, and every read's search of it, would grow without end).
    /// Once a second bounds the WAL to about a second of writes.
    static let checkpointInterval = Duration.milliseconds(1_000)

    /// Most writes in one transaction: enough for 1,024 clients' writes in a few batches,
    /// few enough that one batch's replies are not held back long.
    static let maximumBatch = 256

    private let queue = JobQueue<Job>()
    private let store: ScenarioStore
    private let services: ServerServices
    private let checkpointer: Checkpointer?
    private let flusher: CommitFlusher?
    private var thread: JoinableThread?

    /// - Parameters:
    ///   - checkpointer: copies the WAL beside the writer; nil for a store without a file of
    ///     its own, where the writer checkpoints by itself.
    ///   - flusher: makes each commit durable before its replies go out; nil when SQLite does
    ///     (or, with `synchronous=normal`, when nothing does).
    init(store: ScenarioStore, services: ServerServices, checkpointer: Checkpointer? = nil,
         flusher: CommitFlusher? = nil) {
        self.store = store
        self.services = services
        self.checkpointer = checkpointer
        self.flusher = flusher
    }

    func start() {
        checkpointer?.start()
        flusher?.start()
        thread = JoinableThread.start(name: "sasurai-writer", stackSize: 4 << 20) { [self] in run() }
    }

    @discardableResult
    func submit(_ job: StoreJob) -> Bool { queue.push(.request(job)) }

    /// Queues a refusal's audit row; false when the writer no longer takes work.
    @discardableResult
    func submitRefusal(_ refusal: RefusalAudit, completion: (@Sendable () -> Void)? = nil) -> Bool {
        queue.push(.refusal(refusal, completion: completion))
    }

    @discardableResult
    func submitMaintenance(_ name: String, _ body: @escaping @Sendable (ScenarioStore) throws -> Void) -> Bool {
        queue.push(.maintenance(name: name, body: body))
    }

    var backlog: Int { queue.count }

    /// Finishes the queued writes, checkpoints the WAL into the database file, and returns.
    func stop() {
        queue.close()
        thread?.join()
    }

    private func run() {
        var lastCheckpoint = ContinuousClock.now
        while true {
            let batch = queue.take(limit: Self.maximumBatch)
            if batch.isEmpty { break }
            let requested = batch.contains { if case .checkpoint = $0 { return true } else { return false } }
            runBatch(batch)
            let now = ContinuousClock.now
            if let checkpointer {
                if checkpointer.takeFinishedPass() {
                    // Only what was written during the pass: a few commits' pages.
                    checkpoint()
                    lastCheckpoint = now
                } else if requested || now - lastCheckpoint >= Self.checkpointInterval {
                    checkpointer.requestPass()
                }
            } else if requested || now - lastCheckpoint >= Self.checkpointInterval {
                checkpoint()
                lastCheckpoint = now
            }
        }
        checkpointer?.stop()
        do {
            try store.database.checkpoint()
        } catch {
            services.logger.error("checkpoint_failed", ["error": String(describing: error)])
        }
        // Last: the replies it still holds wait for commits made above.
        flusher?.stop()
    }

    @discardableResult
    func submitCheckpoint() -> Bool { queue.push(.checkpoint) }

    /// A passive checkpoint: it never waits for readers; pages a reader still needs stay in
    /// the WAL for the next one.
    private func checkpoint() {
        do {
            try store.database.execute("PRAGMA wal_checkpoint(PASSIVE)")
        } catch {
            services.logger.warning("checkpoint_failed", ["error": String(describing: error)])
        }
    }

    private func runBatch(_ batch: [Job]) {
        var results: [(StoreJob, CommandOutcome)] = []
        results.reserveCapacity(batch.count)
        var refusalCompletions: [@Sendable () -> Void] = []
        let database = store.database
        var commit: UInt64?
        do {
            try database.transaction(.immediate) {
                for job in batch {
                    switch job {
                    case .request(let request):
                        var outcome = execute(request)
                        if case .error(let error) = outcome.reply {
                            // Recorded after the write's savepoint rolled back, in the same
                            // commit, so the row is as durable as the reply.
                            if error.fault != .server {
                                record(RefusalAudit(refusing: request.request.name, with: error, to: request.session))
                            }
                            outcome.refusalRecorded = true
                        }
                        results.append((request, outcome))
                    case .refusal(let refusal, let completion):
                        record(refusal)
                        if let completion { refusalCompletions.append(completion) }
                    case .maintenance(let name, let body):
                        do {
                            try database.savepoint { try body(store) }
                        } catch {
                            services.logger.error("maintenance_failed", ["task": name, "error": String(describing: error)])
                        }
                    case .checkpoint:
                        break
                    }
                }
                try store.applyGatheredStateVersionBump()
                // Numbered just before COMMIT: from here on a reader may see this batch.
                commit = flusher?.beginCommit()
            }
        } catch {
            if let commit { flusher?.endCommit(commit) }
            // The refusals' replies go out whether or not their rows were saved: a failed
            // commit is logged, and refusing the refusal would help no one.
            refusalCompletions.forEach { $0() }
            services.logger.error("commit_failed", ["writes": String(results.count), "error": String(describing: error)])
            let failure = ErrorMapping.protocolError(for: error, logger: services.logger)
            for (job, outcome) in results {
                outcome.afterRollback?()
                if case .ok = outcome.reply {
                    job.completion(CommandOutcome(.error(ProtocolError(.serverError,
                        "the write was not saved: \(failure.message)"))))
                } else {
                    job.completion(outcome)
                }
            }
            return
        }
        for (_, outcome) in results { outcome.afterCommit?() }
        guard let flusher, let commit else {
            refusalCompletions.forEach { $0() }
            for (job, outcome) in results { job.completion(outcome) }
            return
        }
        flusher.endCommit(commit)
        guard !results.isEmpty || !refusalCompletions.isEmpty else { return }
        let replies = ThreadOwned((results: results, refusals: refusalCompletions))
        flusher.release(after: commit) { durable in
            replies.value.refusals.forEach { $0() }
            for (job, outcome) in replies.value.results {
                if case .ok = outcome.reply, !durable {
                    job.completion(CommandOutcome(.error(ProtocolError(.serverError,
                        "the write may not be saved: syncing the database to disk failed"))))
                } else {
                    job.completion(outcome)
                }
            }
        }
    }

    private func record(_ refusal: RefusalAudit) {
        do {
            try refusal.append(to: store)
        } catch {
            services.logger.error("audit_failed", ["action": refusal.action, "error": String(describing: error)])
        }
    }

    /// Runs one request in its own savepoint; a throw rolls back that request alone.
    private func execute(_ job: StoreJob) -> CommandOutcome {
        let context = RequestContext(request: job.request, session: job.session, store: store, services: services)
        do {
            return try store.database.savepoint {
                try RequestKeys.run(context, digest: job.requestDigest, job.body)
            }
        } catch {
            return CommandOutcome(.error(ErrorMapping.protocolError(for: error, logger: services.logger)))
        }
    }
}

/// Copies the WAL into the database file on a connection and a thread of its own.
///
/// A checkpoint of a second of writes copies thousands of pages and syncs the database file;
/// run by the writer between batches it held back every write that arrived meanwhile, which
/// was most of the write p99. Here the writer keeps committing while the bulk is copied.
/// SQLite starts the WAL file over only when a writer begins a transaction after a checkpoint
/// that copied every frame, and frames keep coming during a pass, so after each pass the
/// writer copies the few frames written during it (`Writer.run`); its next transaction then
/// starts the WAL over, and the WAL stays bounded by about a second of writes.
final class Checkpointer: @unchecked Sendable {
    private let condition = NSCondition()
    private var wanted = false
    private var running = false
    private var finished = false
    private var closed = false
    private let database: ThreadOwned<Database>
    private let logger: Logger
    private var thread: JoinableThread?

    init(databasePath: String, synchronous: Database.SynchronousMode, logger: Logger) throws {
        database = ThreadOwned(try Database.open(path: databasePath, synchronous: synchronous))
        self.logger = logger
    }

    func start() {
        thread = JoinableThread.start(name: "sasurai-checkpoint") { [self] in run() }
    }

    /// Asks for a pass; does nothing while one is asked for or running.
    func requestPass() {
        condition.lock()
        defer { condition.unlock() }
        guard !wanted, !running, !finished, !closed else { return }
        wanted = true
        condition.signal()
    }

    /// True once for each pass that has ended; the writer then copies what the pass missed.
    func takeFinishedPass() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard finished else { return false }
        finished = false
        return true
    }

    /// Waits for a running pass to end and stops the thread.
    func stop() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        thread?.join()
    }

    private func run() {
        while true {
            condition.lock()
            while !wanted && !closed { condition.wait() }
            if closed {
                condition.unlock()
                return
            }
            wanted = false
            running = true
            condition.unlock()
            let started = ContinuousClock.now
            do {
                // PASSIVE: it never waits for the writer or for readers; pages a reader still
                // needs stay in the WAL for the next pass.
                let row = try database.value.fetchOne("PRAGMA wal_checkpoint(PASSIVE)")
                let elapsed = ContinuousClock.now - started
                logger.debug("checkpoint_pass", ["wal_frames": String((try? row?.decode(Int64.self, at: 1)) ?? -1),
                                                 "copied_frames": String((try? row?.decode(Int64.self, at: 2)) ?? -1),
                                                 "ms": String(elapsed.wholeMilliseconds)])
            } catch {
                logger.warning("checkpoint_failed", ["error": String(describing: error)])
            }
            condition.lock()
            running = false
            finished = true
            condition.unlock()
        }
    }
}

/// Read-only connections, each on its own thread, serving reads from their own snapshots.
///
/// In WAL mode readers never wait for the writer or for each other, so a long PLAN snapshot or
/// a big EXPORT on one reader leaves the others free.
final class ReaderPool: @unchecked Sendable {
    private let queue = JobQueue<StoreJob>()
    private let services: ServerServices
    private var threads: [JoinableThread] = []

    init(services: ServerServices) {
        self.services = services
    }

    /// Opens `count` read-only connections and starts a thread for each.
    func start(databasePath: String, count: Int) throws {
        // Every connection opens before any thread starts, so a failure leaves none running.
        let stores = try (0..<count).map { _ in
            let database = try Database.open(path: databasePath, readOnly: true)
            try Server.tune(database, cacheKibibytes: Server.readerCacheKibibytes)
            return ThreadOwned(try ScenarioStore(database: database))
        }
        threads = stores.enumerated().map { index, store in
            JoinableThread.start(name: "sasurai-reader-\(index)", stackSize: 4 << 20) { [self] in run(store.value) }
        }
    }

    @discardableResult
    func submit(_ job: StoreJob) -> Bool { queue.push(job) }

    func stop() {
        queue.close()
        for thread in threads { thread.join() }
    }

    private func run(_ store: ScenarioStore) {
        while true {
            let batch = queue.take(limit: 1)
            guard let job = batch.first else { break }
            let context = RequestContext(request: job.request, session: job.session, store: store, services: services)
            let outcome: CommandOutcome
            do {
                outcome = try store.database.transaction(.deferred) { try job.body(context) }
            } catch {
                outcome = CommandOutcome(.error(ErrorMapping.protocolError(for: error, logger: services.logger)))
            }
            guard let flusher = services.flusher else {
                job.completion(outcome)
                continue
            }
            let held = ThreadOwned(outcome)
            flusher.releaseAfterVisibleCommits { durable in
                job.completion(durable ? held.value : CommandOutcome(.error(ProtocolError(.serverError,
                    "syncing the database to disk failed; what was read may not be saved"))))
            }
        }
    }
}

/// A named thread that can be waited for.
final class JoinableThread: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)

    private init() {}

    /// Starts `body` on a new thread; `stackSize` in bytes, the system's default when nil.
    static func start(name: String, stackSize: Int? = nil,
                      _ body: @escaping @Sendable () -> Void) -> JoinableThread {
        let joinable = JoinableThread()
        let thread = Thread {
            body()
            joinable.finished.signal()
        }
        thread.name = name
        if let stackSize { thread.stackSize = stackSize }
        thread.start()
        return joinable
    }

    /// Returns once the body has returned; call it once.
    func join() { finished.wait() }
}

/// Hands a value to the one thread that will use it from then on.
struct ThreadOwned<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
