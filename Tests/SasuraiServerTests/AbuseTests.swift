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
