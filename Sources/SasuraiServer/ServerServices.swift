import Foundation
import SasuraiCore
import SasuraiEngine
import SasuraiProtocol
import SasuraiStore

/// State shared by the I/O thread, the store threads and the plan run, each part behind a lock.
public final class ServerServices: @unchecked Sendable {
    public let configuration: ServerConfiguration
    public let logger: Logger
    public let plans: PlanRunner
    /// Set once at start, before any request runs.
    var writer: Writer!
    /// Set once at start when replies wait for the server's own WAL syncs (`CommitFlusher`).
    var flusher: CommitFlusher?

    private let lock = NSLock()
    private var revokedTokens: Set<Int64> = []
    private var openConnections = 0
    private var backupRunning = false

    init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.plans = PlanRunner()
    }

    // MARK: Tokens

    /// True when the token was revoked since a connection authenticated with it.
    func isRevoked(_ tokenID: Int64) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return revokedTokens.contains(tokenID)
    }

    /// Called after a revocation commits: connections using the token drop to anyone at their
    /// next request.
    func markRevoked(_ tokenID: Int64) {
        lock.lock()
        revokedTokens.insert(tokenID)
        lock.unlock()
    }

    // MARK: Connections

    var connectionCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return openConnections
    }

    func setConnectionCount(_ count: Int) {
        lock.lock()
        openConnections = count
        lock.unlock()
    }

    // MARK: Backups

    /// Claims the one backup slot; false when a backup is already running.
    func beginBackup() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !backupRunning else { return false }
        backupRunning = true
        return true
    }

    func endBackup() {
        lock.lock()
        backupRunning = false
        lock.unlock()
    }
}

/// The allocation run in progress, if any: one at a time (`ProtocolLimits.maximumConcurrentPlanRuns`).
///
/// A run reads its input on its own read-only connection inside one read transaction (a
/// snapshot), searches on its own thread, and hands the result to the writer; requests are
/// never held up by it.
public final class PlanRunner: @unchecked Sendable {
    /// What PLAN SHOW reports while a run searches.
    public struct Progress: Sendable {
        public var planID: Int64
        public var started: ContinuousClock.Instant
        public var bestScore = 0
        public var upperBound: Int?
        public var elapsedMilliseconds: Int {
            Int((ContinuousClock.now - started).wholeMilliseconds)
        }
    }

    /// How the run searches.
    public struct Request: Sendable {
        public var planID: Int64
        public var seed: UInt64
        public var seconds: Int
        /// Replaces the stored scenario's weights when set.
        public var weights: Weights?
    }

    private let lock = NSLock()
    private var current: Progress?
    private var finishedRuns = 0

    /// The plan id of the run in progress.
    public var runningPlan: Int64? {
        lock.lock()
        defer { lock.unlock() }
        return current?.planID
    }

    public func progress(of planID: Int64) -> Progress? {
        lock.lock()
        defer { lock.unlock() }
        return current?.planID == planID ? current : nil
    }

    /// Claims the run slot for `planID`; false when another run holds it.
    func reserve(_ planID: Int64) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard current == nil else { return false }
        current = Progress(planID: planID, started: .now)
        return true
    }

    func release(_ planID: Int64) {
        lock.lock()
        if current?.planID == planID {
            current = nil
            finishedRuns += 1
        }
        lock.unlock()
    }

    private func update(_ planID: Int64, score: Int, upperBound: Int?) {
        lock.lock()
        if current?.planID == planID {
            current?.bestScore = score
            current?.upperBound = upperBound
        }
        lock.unlock()
    }

    /// Starts the search on a thread of its own; the slot must have been reserved.
    func start(_ request: Request, services: ServerServices) {
        let thread = Thread { [self] in
            run(request, services: services)
        }
        thread.name = "sasurai-plan-\(request.planID)"
        thread.stackSize = 16 << 20
        thread.start()
    }

    private func run(_ request: Request, services: ServerServices) {
        let logger = services.logger
        let planID = request.planID
        logger.info("plan_started", ["plan": String(planID), "seed": String(request.seed),
                                     "seconds": String(request.seconds)])
        do {
            let reader = try ScenarioStore(database: Database.open(path: services.configuration.databasePath,
                                                                   readOnly: true))
            // One read transaction: the queue and the scenario come from the same state.
            let (snapshot, firstInLine) = try reader.database.transaction(.deferred) {
                (try reader.planningSnapshot(), try reader.requeuedQueue())
            }
            var scenario = snapshot.scenario
            if let weights = request.weights { scenario.weights = weights }
            var options = SolveOptions(seed: request.seed, timeLimit: Double(request.seconds), workers: 2)
            options.firstInLine = firstInLine
            let result = Engine.solve(scenario, options: options) { [self] progress in
                update(planID, score: progress.bestScore, upperBound: progress.upperBound)
            }
            let summary = ReplyValue.object([
                ("elapsed_ms", .integer(Int(result.statistics.seconds * 1_000))),
                ("moves", .integer(result.statistics.moves)),
                ("construction_score", .integer(result.statistics.constructionScore)),
                ("snapshot_version", .integer(snapshot.stateVersion)),
            ]).bytes
            let plan = result.plan
            let upperBound = result.upperBound
            let queued = services.writer.submitMaintenance("finish_plan") { [self] store in
                defer { release(planID) }
                let status = try store.finishPlan(id: planID, plan, upperBound: upperBound,
                                                  summary: String(decoding: summary, as: UTF8.self))
                logger.info("plan_finished", ["plan": String(planID), "status": status.rawValue,
                                              "score": String(plan.score), "assigned": String(plan.assignments.count),
                                              "unplaced": String(plan.unplaced.count)])
            }
            if !queued { release(planID) }
        } catch {
            logger.error("plan_failed", ["plan": String(planID), "error": String(describing: error)])
            let queued = services.writer.submitMaintenance("fail_plan") { [self] store in
                defer { release(planID) }
                try store.setPlanStatus(id: planID, .failed)
            }
            if !queued { release(planID) }
        }
    }
}
