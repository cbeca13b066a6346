import Foundation
import SasuraiProtocol
@testable import SasuraiServer
import Testing

/// What the server keeps of those who misuse it: every refusal audited, failed AUTH slowed
/// and then cut off, connections beyond the cap counted.
@Suite struct AbuseTests {
    /// The audit rows of `action`, oldest first, as JSON objects.
    static func auditRows(_ planner: LineClient, action: String) throws -> [[String: Any]] {
        let reply = try planner.send(#"AUDIT {"limit": 1000}"#)
        let entries = replyObject(reply)["entries"] as? [[String: Any]] ?? []
        return entries.filter { $0["action"] as? String == action }
    }

    /// A row's actor, subject, code and message, to compare in one piece.
    static func summary(_ row: [String: Any]) -> String {
        let detail = row["detail"] as? [String: Any] ?? [:]
        return "\(row["actor"] as? String ?? "?") \(row["subject"] as? String ?? "-") "
            + "\(detail["code"] as? String ?? "?") \(detail["message"] as? String ?? "?")"
    }

    @Test func everyRefusalIsInTheAuditLogBeforeItsReply() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let planner = try running.connect(token: nil)
        _ = try planner.send("IMPORT {\"scenario\": \(Fixture.scenario())}")
        let host = try running.connect(token: try running.issueToken(role: "host", subject: "wake"))
        let anyone = try running.connect()
        try converse([
            (anyone, "TOWN", "ERR UNAUTHORIZED TOWN needs a host or planner token; send AUTH first"),
            (anyone, "FROB", #"ERR UNKNOWN_COMMAND unknown command "FROB""#),
            (host, #"COMMIT {"plan": 1}"#, "ERR FORBIDDEN COMMIT is for planners"),
            (host, #"CANCEL {"application": "b1"}"#, #"ERR FORBIDDEN application "b1" is not placed in your town"#),
            (planner, #"AUDIT {"limit": 0}"#, "ERR INVALID limit: 0 is out of range 1 to 1000"),
            (planner, #"WITHDRAW {"freelancer": "f-1", "application": "zz"}"#,
             #"ERR NOT_FOUND application "zz""#),
            (anyone, String(repeating: "x", count: 5_000), "ERR TOO_LARGE line exceeds 4096 bytes"),
        ])
        let rows = try Self.auditRows(planner, action: "request.refused")
        #expect(rows.map(Self.summary) == [
            "system:anonymous TOWN UNAUTHORIZED TOWN needs a host or planner token; send AUTH first",
            #"system:anonymous - UNKNOWN_COMMAND unknown command "FROB""#,
            "host:wake COMMIT FORBIDDEN COMMIT is for planners",
            #"host:wake CANCEL FORBIDDEN application "b1" is not placed in your town"#,
            "planner:token-1 AUDIT INVALID limit: 0 is out of range 1 to 1000",
            #"planner:token-1 WITHDRAW NOT_FOUND application "zz""#,
            "system:anonymous - TOO_LARGE line exceeds 4096 bytes",
        ])
        for row in rows {
            let detail = row["detail"] as? [String: Any] ?? [:]
            #expect((detail["peer"] as? String)?.hasPrefix("127.0.0.1:") == true)
            #expect(detail["connection"] is Int)
        }
        // The refused writes left nothing else: no application changed state.
        #expect(try Self.auditRows(planner, action: "application.withdrawn").isEmpty)
    }

    @Test func everyWriteIsInTheAuditLogWithItsActor() throws {
        let world = try World()
        defer { world.stop() }
        let planner = world.planner
        let backup = world.running.directory.appendingPathComponent("audited-backup.db").path
        var seen = try Self.auditCount(planner)
        var written: Set<CommandName> = []
        /// Sends `line`, which must succeed, and returns the actions it added to the log.
        func write(_ client: LineClient, _ line: String) throws -> [String] {
            let reply = try client.send(line)
            #expect(reply.hasPrefix("OK "), "\(line): \(reply)")
            if let command = CommandTable.standard.commandName(inLine: Array(line.utf8)) { written.insert(command) }
            let entries = try Self.auditEntries(planner, after: seen)
            seen += entries.count
            return entries.map { "\($0["actor"] as? String ?? "?") \($0["action"] as? String ?? "?") \($0["subject"] as? String ?? "-")" }
        }
        let importLine = "IMPORT {\"scenario\": \(Fixture.scenario()), \"replace\": true}"
        #expect(try write(planner, importLine) == ["planner:token-1 scenario.import -"])
        #expect(try write(world.wake, #"ACCOMMODATION PUT {"id": "wake-new", "name": "離れ", "kind": "guesthouse", "beds": 2, "price_per_night": 1000}"#)
                == ["host:wake accommodation.created wake-new"])
        #expect(try write(world.wake, #"ACCOMMODATION DELETE {"id": "wake-new"}"#) == ["host:wake accommodation.deleted wake-new"])
        #expect(try write(world.wake, #"SLOT PUT {"id": "wake-snow", "title": "雪かき", "from": "2030-07-01", "to": "2030-07-10", "seats": 1}"#)
                == ["host:wake slot.created wake-snow"])
        #expect(try write(world.wake, #"SLOT DELETE {"id": "wake-snow"}"#) == ["host:wake slot.deleted wake-snow"])
        #expect(try write(world.wake, #"BOOK {"application": "p2", "accommodation": "wake-vh", "arrival": "2030-07-01"}"#)
                == ["host:wake application.booked p2"])
        #expect(try write(world.wake, #"CANCEL {"application": "p2", "reason": "雨"}"#) == ["host:wake application.cancelled p2", "host:wake application.pending p2"])
        #expect(try write(world.f2, #"PROFILE PUT {"name": "Berg"}"#) == ["freelancer:f-2 freelancer.replaced f-2"])
        #expect(try write(world.f2, #"APPLY {"id": "n1", "earliest": "2030-06-01", "latest": "2030-07-01", "nights": 3, "budget_per_night": 5000}"#)
                == ["freelancer:f-2 application.created n1"])
        #expect(try write(world.f2, #"WITHDRAW {"application": "n1"}"#) == ["freelancer:f-2 application.withdrawn n1"])
        #expect(try write(planner, #"PLAN {"seconds": 1, "seed": 1}"#) == ["planner:token-1 plan.started 1"])
        try planner.waitForPlan(1)
        // One row for the whole commit: its detail counts the offers.
        #expect(try write(planner, #"COMMIT {"plan": 1}"#) == ["planner:token-1 plan.commit 1"])
        // Two offers, to accept one and decline the other, answered by the planner for the
        // freelancer (a new freelancer token would add its own row).
        var answered: [String] = []
        for freelancer in Fixture.freelancerNames.keys.sorted() {
            let reply = try planner.send("APPLICATIONS {\"freelancer\": \"\(freelancer)\", \"state\": \"offered\"}")
            let offers = replyObject(reply)["applications"] as? [[String: Any]] ?? []
            for application in offers.compactMap({ ($0["application"] as? [String: Any])?["id"] as? String })
            where answered.count < 2 {
                let verb = answered.isEmpty ? "ACCEPT" : "DECLINE"
                let action = answered.isEmpty ? "application.confirmed" : "application.declined"
                #expect(try write(planner, "\(verb) {\"freelancer\": \"\(freelancer)\", \"application\": \"\(application)\"}")
                        == ["planner:token-1 \(action) \(application)"])
                answered.append(application)
            }
        }
        #expect(answered.count == 2, "the plan made fewer than two offers")
        #expect(try write(planner, #"REPLAN {"seconds": 1}"#) == ["planner:token-1 plan.replan 2"])
        try planner.waitForPlan(2)
        #expect(try write(planner, #"TOKEN ISSUE {"role": "freelancer", "subject": "f-6"}"#) == ["planner:token-1 token.issued 6"])
        #expect(try write(planner, #"TOKEN REVOKE {"id": 6}"#) == ["planner:token-1 token.revoked 6"])
        #expect(try write(planner, "BACKUP {\"path\": \"\(backup)\"}") == ["planner:token-1 backup -"])
        let mutating = Set(CommandTable.standard.commands.filter(\.isMutating).map(\.name))
        #expect(written == mutating, "every mutating command was tried")
    }

    /// How many rows the audit log holds.
    static func auditCount(_ planner: LineClient) throws -> Int {
        var count = 0
        while true {
            let entries = try auditEntries(planner, after: count)
            if entries.isEmpty { return count }
            count += entries.count
        }
    }

    /// The audit rows after row `after`, at most 1,000.
    static func auditEntries(_ planner: LineClient, after: Int) throws -> [[String: Any]] {
        replyObject(try planner.send("AUDIT {\"after\": \(after), \"limit\": 1000}"))["entries"] as? [[String: Any]] ?? []
    }

    @Test func aTokenSentWhereItDoesNotBelongStaysOutOfTheAuditLog() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let anyone = try running.connect()
        // A token pasted alone on a line is an unknown verb, which the reply quotes for the
        // client who sent it; the audit row keeps the shape of the message, not the token.
        let reply = try anyone.send(running.plannerToken)
        #expect(reply.hasPrefix("ERR UNKNOWN_COMMAND unknown command "))
        _ = try anyone.send("AUTH " + String(running.plannerToken.reversed()))
        let planner = try running.connect(token: nil)
        let audit = try planner.send(#"AUDIT {"limit": 1000}"#)
        #expect(!audit.contains(running.plannerToken))
        #expect(!audit.contains(String(running.plannerToken.prefix(24))))
        #expect(!audit.contains(String(running.plannerToken.reversed())))
        let rows = try Self.auditRows(planner, action: "request.refused")
        #expect(rows.map(Self.summary) == [
            #"system:anonymous - UNKNOWN_COMMAND unknown command "<redacted>""#,
            "system:anonymous AUTH UNAUTHORIZED unknown or revoked token",
        ])
    }

    @Test func secretsAreRedactedFromMessagesButShortRunsStay() {
        #expect(RefusalAudit.withoutSecrets("plan 20261206 of town abc") == "plan 20261206 of town abc")
        #expect(RefusalAudit.withoutSecrets(String(repeating: "a1", count: 12)) == "<redacted>")
        #expect(RefusalAudit.withoutSecrets("x " + String(repeating: "f", count: 23) + " y")
                == "x " + String(repeating: "f", count: 23) + " y")
    }

    @Test func failedAuthenticationsAreSlowedDownThenTheConnectionIsClosed() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let client = try running.connect()
        let wrong = String(repeating: "0", count: 64)
        var waits: [Duration] = []
        for attempt in 1...4 {
            let started = ContinuousClock.now
            // The PING behind the AUTH waits for the held reply: replies stay in order.
            try client.write("AUTH \(wrong)\nPING\n")
            #expect(try client.readLine() == "ERR UNAUTHORIZED unknown or revoked token", "attempt \(attempt)")
            #expect(try client.readLine() == #"OK {"pong": true}"#)
            waits.append(ContinuousClock.now - started)
        }
        for (index, wait) in waits.enumerated() {
            #expect(wait >= ProtocolLimits.failedAuthenticationDelay(after: index + 1), "attempt \(index + 1) took \(wait)")
        }
        #expect(try client.send("AUTH \(wrong)") == "ERR UNAUTHORIZED too many failed AUTH attempts; closing")
        #expect(client.isClosedByServer())
        // A new connection starts again from the first delay, and a right token still works.
        let next = try running.connect()
        #expect(try next.send("AUTH " + running.plannerToken) == #"OK {"role": "planner"}"#)
    }

    @Test func theDelaysDoubleFromATenthOfASecond() {
        #expect((1...5).map { ProtocolLimits.failedAuthenticationDelay(after: $0) }
                == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1_600)])
    }

    @Test func connectionsBeyondTheCapAreCountedInTheAuditLog() throws {
        let running = try RunningServer { $0.maximumConnections = 2 }
        defer { running.stop() }
        let planner = try running.connect(token: nil)
        let second = try running.connect()
        for _ in 0..<3 {
            let refused = try running.connect()
            #expect(try refused.readLine() == "ERR BUSY too many connections (limit 2); try again later")
        }
        _ = second
        var counted = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while counted < 3 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            counted = try Self.auditRows(planner, action: "connection.refused").reduce(0) { total, row in
                let detail = row["detail"] as? [String: Any] ?? [:]
                #expect(detail["reason"] as? String == "limit")
                #expect(row["actor"] as? String == "system:listener")
                return total + (detail["count"] as? Int ?? 0)
            }
        }
        #expect(counted == 3)
    }
}
