#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SasuraiCore
import SasuraiProtocol
import SasuraiStore

/// The coordinators' commands: bulk data, allocation runs, tokens, audit and backups.
enum PlannerCommands {
    static func register(into registry: inout CommandRegistry<CommandHandler>) throws {
        try registry.register("IMPORT", role: .planner, .write(importScenario))
        try registry.register("EXPORT", role: .planner, .read(exportScenario))
        try registry.register("PLAN", role: .planner, .write { try startPlan($0, replan: false) })
        try registry.register("PLAN SHOW", role: .planner, .read(showPlan))
        try registry.register("PLAN LIST", role: .planner, .read(listPlans))
        try registry.register("COMMIT", role: .planner, .write(commit))
        try registry.register("REPLAN", role: .planner, .write { try startPlan($0, replan: true) })
        try registry.register("WHY", role: .planner, .read(why))
        try registry.register("STATS", role: .planner, .read(stats))
        try registry.register("TOKEN ISSUE", role: .planner, .write(issueToken))
        try registry.register("TOKEN REVOKE", role: .planner, .write(revokeToken))
        try registry.register("TOKEN LIST", role: .planner, .read(listTokens))
        try registry.register("AUDIT", role: .planner, .read(audit))
        try registry.register("BACKUP", role: .planner, .background(backup))
    }

    // MARK: Scenarios

    /// The first problem of a scenario that failed validation, as one INVALID error.
    static func invalidScenario(_ error: InputError, prefix: String) -> ProtocolError {
        guard let first = error.diagnostics.first else { return ProtocolError(.invalid, prefix + "unreadable scenario") }
        let more = error.diagnostics.count - 1 + error.omitted
        let path = first.path == "$" ? String(prefix.dropLast()) : prefix + first.path
        return ProtocolError(.invalid, path + ": " + first.message + (more > 0 ? " (and \(more) more problems)" : ""))
    }

    static func importScenario(_ context: RequestContext) throws -> CommandOutcome {
        let parameters = context.parameters
        if context.services.plans.runningPlan != nil {
            throw ProtocolError(.busy, "a plan run is in progress")
        }
        let scenario: Scenario
        if let node = parameters.node("scenario") {
            do {
                scenario = try ScenarioReader.read(node)
            } catch {
                throw invalidScenario(error, prefix: "scenario.")
            }
        } else {
            let path = parameters.string("path") ?? ""
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ProtocolError(.notFound, "path \(ReplySanitizer.quoted(path, limit: 256))")
            }
            do {
                scenario = try ScenarioReader.read([UInt8](data))
            } catch {
                throw invalidScenario(error, prefix: path + ": ")
            }
        }
        if parameters.bool("replace") != true, try !context.store.isEmpty() {
            throw ProtocolError(.conflict, "the store already holds data; send \"replace\": true to replace it")
        }
        let summary = try context.store.importScenario(scenario, actor: context.actor)
        return .ok([
            ("imported", .object([("towns", .integer(summary.towns)), ("accommodations", .integer(summary.accommodations)),
                                  ("slots", .integer(summary.slots)), ("freelancers", .integer(summary.freelancers)),
                                  ("applications", .integer(summary.applications)),
                                  ("bookings", .integer(summary.bookings))])),
            ("state_version", .integer(summary.stateVersion)),
        ])
    }

    static func exportScenario(_ context: RequestContext) throws -> CommandOutcome {
        let bytes = ScenarioWriter.write(try context.store.exportScenario())
        guard let path = context.parameters.string("path") else {
            return .ok([("scenario", .json(bytes))], hint: "give a path")
        }
        try writeNewFile(bytes, to: path)
        return .ok([("path", .string(path)), ("bytes", .integer(bytes.count))])
    }

    /// Writes a file that must not exist yet, readable only by the server's user.
    static func writeNewFile(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw ProtocolError(.conflict, "path \(ReplySanitizer.quoted(path, limit: 256)) exists") }
            throw ProtocolError(.serverError, "cannot write \(ReplySanitizer.quoted(path, limit: 256)): "
                                + String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            guard result > 0 else {
                let reason = String(cString: strerror(errno))
                unlink(path)
                throw ProtocolError(.serverError, "cannot write \(ReplySanitizer.quoted(path, limit: 256)): \(reason)")
            }
            written += result
        }
        fsync(descriptor)
    }

    // MARK: Plans

    static func startPlan(_ context: RequestContext, replan: Bool) throws -> CommandOutcome {
        let parameters = context.parameters
        if let running = context.services.plans.runningPlan {
            throw ProtocolError(.busy, "plan \(running) is still running")
        }
        var chosenWeights: Weights?
        if let node = parameters.node("weights") {
            let stored = try context.store.scenarioWeights()
            do throws(InputError) {
                chosenWeights = try ScenarioReader.readWeights(node, over: stored)
            } catch {
                throw invalidScenario(error, prefix: "")
            }
        }
        let weights = chosenWeights
        let seed = UInt64(parameters.integer("seed") ?? 1)
        let seconds = parameters.integer("seconds")
            ?? (replan ? ProtocolLimits.defaultReplanSeconds : ProtocolLimits.defaultPlanSeconds)
        let version = try context.store.stateVersion()
        let summary = ReplyValue.object([("kind", .string(replan ? "replan" : "plan"))]).bytes
        let id = try context.store.savePlan(Plan(), seed: seed, upperBound: nil, basedOnVersion: version,
                                            summary: String(decoding: summary, as: UTF8.self), status: .running)
        try context.store.append(actor: context.actor, action: replan ? "plan.replan" : "plan.started",
                                 subject: String(id), detail: "{\"seed\": \(seed), \"seconds\": \(seconds)}")
        let runner = context.services.plans
        guard runner.reserve(id) else {
            throw ProtocolError(.busy, "plan \(runner.runningPlan ?? 0) is still running")
        }
        var outcome = CommandOutcome.ok([("plan", .integer(id)), ("status", "running")])
        let services = context.services
        outcome.afterCommit = {
            runner.start(PlanRunner.Request(planID: id, seed: seed, seconds: seconds, weights: weights), services: services)
        }
        outcome.afterRollback = { runner.release(id) }
        return outcome
    }

    static func planRecord(_ context: RequestContext, _ id: Int64) throws -> PlanRecord {
        do {
            return try context.store.record(ofPlan: id)
        } catch StoreError.notFound {
            throw ProtocolError(.notFound, "plan \(id)")
        }
    }

    static func planMembers(_ record: PlanRecord, services: ServerServices) -> [(String, ReplyValue)] {
        var score = record.score
        var upperBound = record.upperBound
        var elapsed = 0
        if record.status == .running, let progress = services.plans.progress(of: record.id) {
            score = progress.bestScore
            upperBound = progress.upperBound
            elapsed = progress.elapsedMilliseconds
        } else if case .object(let members)? = try? JSONParser.parse(Array(record.summary.utf8)).value,
                  let node = members.first(where: { $0.key == "elapsed_ms" }), case .integer(let value) = node.node.value {
            elapsed = value
        }
        return [("plan", .integer(record.id)), ("status", .string(record.status.rawValue)),
                ("created_at", .string(record.createdAt)), ("based_on_version", .integer(record.basedOnVersion)),
                ("seed", .integer(Int(truncatingIfNeeded: record.seed))), ("score", .integer(score)),
                ("upper_bound", .optional(upperBound)), ("assigned", .integer(record.assignmentCount)),
                ("unplaced", .integer(record.unplacedCount)), ("elapsed_ms", .integer(elapsed))]
    }

    static func showPlan(_ context: RequestContext) throws -> CommandOutcome {
        let id = Int64(context.parameters.integer("plan") ?? 0)
        let record = try planRecord(context, id)
        var members = planMembers(record, services: context.services)
        if context.parameters.bool("assignments") == true, record.status != .running, record.status != .failed {
            members.append(("result", .json(PlanFile.write(try context.store.plan(id: id).plan))))
        }
        return .ok(members, hint: "ask without assignments")
    }

    static func listPlans(_ context: RequestContext) throws -> CommandOutcome {
        let limit = context.parameters.integer("limit") ?? ProtocolLimits.defaultListLimit
        let records = try context.store.plans(limit: limit)
        return .ok([("plans", .array(records.map { .object(planMembers($0, services: context.services)) }))])
    }

    static func commit(_ context: RequestContext) throws -> CommandOutcome {
        let id = Int64(context.parameters.integer("plan") ?? 0)
        let record = try planRecord(context, id)
        switch record.status {
        case .finished: break
        case .stale:
            throw ProtocolError(.stale, "plan \(id) was computed on state version \(record.basedOnVersion); "
                                + "the state is now \(try context.store.stateVersion())")
        case .running, .committed, .failed:
            throw ProtocolError(.conflict, "plan \(id) is \(record.status.rawValue)")
        }
        let hours = context.parameters.integer("offer_hours") ?? ProtocolLimits.defaultOfferHours
        let expiresAt = context.store.clock().addingTimeInterval(Double(hours) * 3_600)
        let offered = try context.store.commitPlan(id: id, actor: context.actor, offerExpiresAt: expiresAt)
        return .ok([("plan", .integer(id)), ("offers", .integer(offered.count)),
                    ("expires_at", .string(Timestamp.iso(expiresAt)))])
    }

    static func why(_ context: RequestContext) throws -> CommandOutcome {
        let id = ApplicationID(context.parameters.string("application") ?? "")
        guard try context.store.application(id) != nil else {
            throw ProtocolError(.notFound, "application \(ReplySanitizer.quoted(id.rawValue))")
        }
        let status = try context.store.applicationStatus(id)
        let verdict = try context.store.latestVerdict(for: id)
        return .ok([("application", .string(id.rawValue)), ("state", .string(status.state.rawValue)),
                    ("plan", verdict.map { .integer($0.plan) } ?? .null), ("reason", .optional(verdict?.reason))])
    }

    static func stats(_ context: RequestContext) throws -> CommandOutcome {
        let counts = try context.store.counts()
        let states: [(String, ReplyValue)] = ApplicationState.allCases.map { ($0.rawValue, .integer(counts.applications[$0] ?? 0)) }
        return .ok([("towns", .integer(counts.towns)), ("accommodations", .integer(counts.accommodations)),
                    ("slots", .integer(counts.slots)), ("freelancers", .integer(counts.freelancers)),
                    ("applications", .object(states)), ("state_version", .integer(try context.store.stateVersion())),
                    ("plans_running", .integer(context.services.plans.runningPlan == nil ? 0 : 1)),
                    ("connections", .integer(context.services.connectionCount))]
                   + (context.parameters.bool("memory") == true ? [("memory", .object(memoryFigures()))] : []))
    }

    /// What the process holds in memory: the resident set, and SQLite's heap (page caches,
    /// statements) within it, so that an operator tells a growing cache from a leak.
    private static func memoryFigures() -> [(String, ReplyValue)] {
        var figures: [(String, ReplyValue)] = []
        // statm's second field is the resident set in pages.
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
           let residentPages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
            figures.append(("resident_bytes", .integer(residentPages * Int(sysconf(Int32(_SC_PAGESIZE))))))
        } else {
            figures.append(("resident_bytes", .null))
        }
        figures.append(("sqlite_bytes", .integer(Int(Database.memoryInUse))))
        figures.append(("sqlite_peak_bytes", .integer(Int(Database.memoryHighWater))))
        return figures
    }

    // MARK: Tokens

    static func issueToken(_ context: RequestContext) throws -> CommandOutcome {
        let parameters = context.parameters
        let role = TokenRecord.Role(rawValue: parameters.string("role") ?? "") ?? .planner
        let subject = parameters.string("subject")
        let token = AccessToken.generate()
        let id = try context.store.issueToken(role: role, subject: subject, hash: AccessToken.digest(of: token),
                                              label: parameters.string("label") ?? "", actor: context.actor)
        return .ok([("id", .integer(id)), ("token", .string(token)), ("role", .string(role.rawValue)),
                    ("subject", .optional(subject))])
    }

    static func revokeToken(_ context: RequestContext) throws -> CommandOutcome {
        let id = Int64(context.parameters.integer("id") ?? 0)
        guard let record = try context.store.tokens().first(where: { $0.id == id }) else {
            throw ProtocolError(.notFound, "token \(id)")
        }
        if let revokedAt = record.revokedAt {
            return .ok([("id", .integer(id)), ("revoked_at", .string(revokedAt))])
        }
        try context.store.revokeToken(id: id, actor: context.actor)
        let revokedAt = try context.store.tokens().first(where: { $0.id == id })?.revokedAt ?? ""
        var outcome = CommandOutcome.ok([("id", .integer(id)), ("revoked_at", .string(revokedAt))])
        let services = context.services
        outcome.afterCommit = { services.markRevoked(id) }
        return outcome
    }

    static func listTokens(_ context: RequestContext) throws -> CommandOutcome {
        let includeRevoked = context.parameters.bool("revoked") ?? false
        let records = try context.store.tokens().filter { includeRevoked || !$0.isRevoked }.sorted { $0.id < $1.id }
        return .ok([("tokens", .array(records.map { record in
            .object([("id", .integer(record.id)), ("role", .string(record.role.rawValue)),
                     ("subject", .optional(record.subject)), ("label", .string(record.label)),
                     ("created_at", .string(record.createdAt)), ("revoked_at", .optional(record.revokedAt))])
        }))])
    }

    // MARK: Audit and backup

    static func audit(_ context: RequestContext) throws -> CommandOutcome {
        let after = Int64(context.parameters.integer("after") ?? 0)
        let limit = context.parameters.integer("limit") ?? ProtocolLimits.defaultListLimit
        let entries = try context.store.auditEntries(after: after, limit: limit)
        return .ok([
            ("entries", .array(entries.map { entry in
                .object([("id", .integer(entry.id)), ("at", .string(entry.at)), ("actor", .string(entry.actor)),
                         ("action", .string(entry.action)), ("subject", .optional(entry.subject)),
                         ("detail", .json(Array(entry.detail.utf8)))])
            })),
            ("next", .integer(entries.last?.id ?? after)),
        ])
    }

    /// Runs on its own thread and connection: the online backup copies pages while the writer
    /// and the readers go on.
    static func backup(_ context: RequestContext) throws -> CommandOutcome {
        let path = context.parameters.string("path") ?? ""
        let store = context.store
        let key = context.request.requestKey
        let tokenID = context.session.tokenID
        let digest = RequestKeys.digest(of: context.request)
        if let key, let tokenID, let remembered = try store.rememberedReply(tokenID: tokenID, key: key) {
            guard remembered.digest == digest else {
                throw ProtocolError(.conflict, "request key \(ReplySanitizer.quoted(key)) was used for a different request")
            }
            return CommandOutcome(.ok(remembered.reply))
        }
        if FileManager.default.fileExists(atPath: path) {
            throw ProtocolError(.conflict, "path \(ReplySanitizer.quoted(path, limit: 256)) exists")
        }
        guard context.services.beginBackup() else { throw ProtocolError(.busy, "a backup is already running") }
        defer { context.services.endBackup() }
        do {
            try store.database.backup(to: path)
        } catch {
            unlink(path)
            throw ProtocolError(.serverError, "backup failed: \(error)")
        }
        chmod(path, 0o600)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let reply = ReplyValue.object([("path", .string(path)), ("bytes", .integer(bytes))]).bytes
        try store.database.transaction(.immediate) {
            try store.append(actor: context.actor, action: "backup", subject: nil,
                             detail: String(decoding: ReplyValue.object([("path", .string(path))]).bytes, as: UTF8.self))
            if let key, let tokenID {
                try store.rememberReply(tokenID: tokenID, key: key, digest: digest, reply: reply)
            }
        }
        return CommandOutcome(.ok(reply))
    }
}
