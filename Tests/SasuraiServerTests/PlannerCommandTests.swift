import Foundation
import SasuraiCore
import SasuraiStore
import Testing

/// PROTOCOL.md 7.4 without the plan runs: IMPORT, EXPORT, STATS, TOKEN ISSUE / REVOKE / LIST,
/// AUDIT and BACKUP, with each documented error.
@Suite struct PlannerCommandTests {
    /// A document as a reply line carries it: its line breaks turned into spaces.
    static func oneLine(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.map { $0 == 0x0A ? 0x20 : $0 }, as: UTF8.self)
    }

    static let importedFixture = #"OK {"imported": {"towns": 2, "accommodations": 3, "slots": 2, "freelancers": 6, "applications": 11, "bookings": 3}"#

    @Test func importLoadsAScenarioAllOrNothing() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let planner = try running.connect(token: nil)
        let town = #"{"id": "x", "name": "x", "prefecture": "x", "nightly_cap": 200000}"#
        let bad = #"{"format": "sasurai-scenario/1", "towns": [\#(town)], "accommodations": [], "slots": [], "freelancers": [], "applications": []}"#
        let worse = bad.replacingOccurrences(of: #""prefecture": "x""#, with: #""prefecture": "x", "min_nights": 0"#)
        let badPath = running.directory.appendingPathComponent("bad.json").path
        try Data(bad.utf8).write(to: URL(fileURLWithPath: badPath))
        let goodPath = running.directory.appendingPathComponent("good.json").path
        let small = Fixture.scenario(applications: [], bookings: [])
        try Data(small.utf8).write(to: URL(fileURLWithPath: goodPath))
        try planner.expect([
            ("IMPORT {\"scenario\": \(bad)}", "ERR INVALID scenario.towns[0].nightly_cap: 200000 is out of range 0 to 100000"),
            ("IMPORT {\"scenario\": \(worse)}",
             "ERR INVALID scenario.towns[0].nightly_cap: 200000 is out of range 0 to 100000 (and 1 more problems)"),
            (#"IMPORT {"path": "\#(badPath)"}"#, "ERR INVALID \(badPath): towns[0].nightly_cap: 200000 is out of range 0 to 100000"),
            (#"IMPORT {"path": "/nonexistent/scenario.json"}"#, #"ERR NOT_FOUND path "/nonexistent/scenario.json""#),
            (#"IMPORT {"path": "scenario.json"}"#, #"ERR INVALID path: "scenario.json" is not an absolute path"#),
            ("IMPORT", "ERR INVALID scenario: give exactly one of scenario, path"),
            (#"IMPORT {"scenario": {}, "path": "/x.json"}"#, "ERR INVALID scenario: give exactly one of scenario, path"),
            ("STATS", #"OK {"towns": 0, "accommodations": 0, "slots": 0, "freelancers": 0, "applications": {"pending": 0, "offered": 0, "confirmed": 0, "declined": 0, "withdrawn": 0, "expired": 0, "cancelled": 0}, "state_version": 0, "plans_running": 0, "connections": 1}"#),
            ("IMPORT {\"scenario\": \(Fixture.scenario())}", Self.importedFixture + #", "state_version": 1}"#),
            ("IMPORT {\"scenario\": \(Fixture.scenario())}",
             #"ERR CONFLICT the store already holds data; send "replace": true to replace it"#),
            (#"IMPORT {"path": "\#(goodPath)"}"#, #"ERR CONFLICT the store already holds data; send "replace": true to replace it"#),
            (#"IMPORT {"path": "\#(goodPath)", "replace": true}"#,
             #"OK {"imported": {"towns": 2, "accommodations": 3, "slots": 2, "freelancers": 6, "applications": 0, "bookings": 0}, "state_version": 2}"#),
            ("IMPORT {\"scenario\": \(Fixture.scenario()), \"replace\": true}", Self.importedFixture + #", "state_version": 3}"#),
            ("STATS", #"OK {"towns": 2, "accommodations": 3, "slots": 2, "freelancers": 6, "applications": {"pending": 8, "offered": 0, "confirmed": 3, "declined": 0, "withdrawn": 0, "expired": 0, "cancelled": 0}, "state_version": 3, "plans_running": 0, "connections": 1}"#),
        ])
    }

    @Test func statsWithMemoryAddsTheProcessesFigures() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let planner = try running.connect(token: nil)
        let plain = try planner.send("STATS")
        #expect(!plain.contains("memory"))
        let reply = try planner.send(#"STATS {"memory": true}"#)
        #expect(reply.hasPrefix(String(plain.dropLast()) + #", "memory": {"resident_bytes": "#))
        let object = try JSONSerialization.jsonObject(with: Data(reply.utf8.dropFirst(3))) as? [String: Any]
        let figures = try #require(object?["memory"] as? [String: Any])
        let resident = try #require(figures["resident_bytes"] as? Int)
        let sqlite = try #require(figures["sqlite_bytes"] as? Int)
        let peak = try #require(figures["sqlite_peak_bytes"] as? Int)
        // The writer and the readers have their schemas and statements at least.
        #expect(sqlite > 0 && sqlite <= peak && peak < resident)
        #expect(try planner.send(#"STATS {"memory": 1}"#) == "ERR INVALID memory: expected true or false, got 1")
    }

    @Test func exportGivesTheCanonicalScenarioWithHostBookings() throws {
        let world = try World()
        defer { world.stop() }
        // Host bookings are exported as bookings; every application is, whatever its state.
        try converse([
            (world.nanto, #"BOOK {"application": "p1", "accommodation": "nanto-sh", "arrival": "2030-06-01"}"#,
             "OK {\"stay\": \(Fixture.stay("p1", "nanto", "nanto-sh", "2030-06-01"))}"),
            (world.f1, #"WITHDRAW {"application": "p6"}"#, #"OK {"application": "p6", "state": "withdrawn"}"#),
        ])
        let expected = try Fixture.canonical(Fixture.scenario(
            bookings: Fixture.bookings + [Fixture.booking("p1", "nanto", "nanto-sh", "2030-06-01")]))
        let path = world.running.directory.appendingPathComponent("export.json").path
        try world.planner.expect([
            ("EXPORT", "OK {\"scenario\": \(Self.oneLine(expected))}"),
            (#"EXPORT {"path": "\#(path)"}"#, #"OK {"path": "\#(path)", "bytes": \#(expected.count)}"#),
            (#"EXPORT {"path": "\#(path)"}"#, #"ERR CONFLICT path "\#(path)" exists"#),
            (#"EXPORT {"path": "/nonexistent/export.json"}"#,
             #"ERR SERVER_ERROR cannot write "/nonexistent/export.json": No such file or directory"#),
            (#"EXPORT {"path": "export.json"}"#, #"ERR INVALID path: "export.json" is not an absolute path"#),
        ])
        #expect(FileManager.default.contents(atPath: path) == Data(expected))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Importing the exported file and exporting it again gives the same bytes.
        let again = world.running.directory.appendingPathComponent("again.json").path
        try world.planner.expect([
            (#"IMPORT {"path": "\#(path)", "replace": true}"#,
             #"OK {"imported": {"towns": 2, "accommodations": 3, "slots": 2, "freelancers": 6, "applications": 11, "bookings": 4}, "state_version": 4}"#),
            (#"EXPORT {"path": "\#(again)"}"#, #"OK {"path": "\#(again)", "bytes": \#(expected.count)}"#),
        ])
        #expect(FileManager.default.contents(atPath: again) == Data(expected))
    }

    @Test func tokensAreIssuedListedAndRevoked() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let planner = try running.connect(token: nil)
        #expect(try planner.send("IMPORT {\"scenario\": \(Fixture.scenario())}").hasPrefix("OK "))
        let host = try planner.send(#"TOKEN ISSUE {"role": "host", "subject": "nanto", "label": "南砺市役所"}"#)
        let freelancer = try planner.send(#"TOKEN ISSUE {"role": "freelancer", "subject": "f-new"}"#)
        #expect(masked(host) == #"OK {"id": 2, "token": "<token>", "role": "host", "subject": "nanto"}"#)
        #expect(masked(freelancer) == #"OK {"id": 3, "token": "<token>", "role": "freelancer", "subject": "f-new"}"#)
        let hostToken = replyObject(host)["token"] as? String ?? ""
        let freelancerToken = replyObject(freelancer)["token"] as? String ?? ""
        let list = #"OK {"tokens": [{"id": 1, "role": "planner", "subject": null, "label": "first planner token", "created_at": "<time>", "revoked_at": null}, {"id": 2, "role": "host", "subject": "nanto", "label": "南砺市役所", "created_at": "<time>", "revoked_at": null}"#
        let user = try running.connect()
        try converse([
            (planner, #"TOKEN ISSUE {"role": "planner", "label": "deputy"}"#,
             #"OK {"id": 4, "token": "<token>", "role": "planner", "subject": null}"#),
            (planner, #"TOKEN ISSUE {"role": "planner", "subject": "nanto"}"#, "ERR INVALID subject: not allowed when role is planner"),
            (planner, #"TOKEN ISSUE {"role": "host"}"#, "ERR INVALID subject: required when role is host"),
            (planner, #"TOKEN ISSUE {"role": "freelancer"}"#, "ERR INVALID subject: required when role is freelancer"),
            (planner, #"TOKEN ISSUE {"role": "host", "subject": "atlantis"}"#, #"ERR NOT_FOUND town "atlantis""#),
            (planner, #"TOKEN ISSUE {"role": "king"}"#, #"ERR INVALID role: "king" is not one of planner, host, freelancer"#),
            (planner, #"TOKEN ISSUE {"role": "planner", "request": "k1"}"#,
             "ERR INVALID request: unknown field; expected one of role, subject, label"),
            (planner, "TOKEN LIST", list + #", {"id": 3, "role": "freelancer", "subject": "f-new", "label": "", "created_at": "<time>", "revoked_at": null}, {"id": 4, "role": "planner", "subject": null, "label": "deputy", "created_at": "<time>", "revoked_at": null}]}"#),
            (user, "AUTH " + hostToken, #"OK {"role": "host", "town": "nanto"}"#),
            (user, "AUTH " + freelancerToken, #"OK {"role": "freelancer", "freelancer": "f-new"}"#),
            (user, "WHOAMI", #"OK {"role": "freelancer", "freelancer": "f-new"}"#),
            (user, "PROFILE", #"ERR NOT_FOUND freelancer "f-new""#),
            (planner, #"TOKEN REVOKE {"id": 3}"#, #"OK {"id": 3, "revoked_at": "<time>"}"#),
            (user, "WHOAMI", #"OK {"role": "anyone"}"#),
            (user, "AUTH " + freelancerToken, "ERR UNAUTHORIZED unknown or revoked token"),
            (planner, #"TOKEN REVOKE {"id": 99}"#, "ERR NOT_FOUND token 99"),
            (planner, #"TOKEN REVOKE {"id": 0}"#, "ERR INVALID id: 0 is out of range 1 to 9007199254740991"),
            (planner, "TOKEN LIST", list + #", {"id": 4, "role": "planner", "subject": null, "label": "deputy", "created_at": "<time>", "revoked_at": null}]}"#),
            (planner, #"TOKEN LIST {"revoked": true}"#, list + #", {"id": 3, "role": "freelancer", "subject": "f-new", "label": "", "created_at": "<time>", "revoked_at": "<time>"}, {"id": 4, "role": "planner", "subject": null, "label": "deputy", "created_at": "<time>", "revoked_at": null}]}"#),
        ])
        // Revoking again returns the first revocation's time.
        let first = try planner.send(#"TOKEN REVOKE {"id": 2}"#)
        Thread.sleep(forTimeInterval: 0.01)
        #expect(try planner.send(#"TOKEN REVOKE {"id": 2}"#) == first)
    }

    /// No token reaches the log: not the planner's, not the issued ones, not a wrong one.
    @Test func tokensNeverAppearInTheLog() throws {
        let world = try World()
        defer { world.stop() }
        var tokens = [world.running.plannerToken]
        for request in [#"TOKEN ISSUE {"role": "planner"}"#, #"TOKEN ISSUE {"role": "host", "subject": "wake"}"#] {
            let reply = try world.planner.send(request)
            tokens.append(replyObject(reply)["token"] as? String ?? "")
        }
        let client = try world.running.connect()
        let wrong = String(repeating: "ab", count: 32)
        try client.expect([
            ("AUTH " + tokens[1], #"OK {"role": "planner"}"#),
            ("AUTH " + tokens[2], #"OK {"role": "host", "town": "wake"}"#),
            ("AUTH " + wrong, "ERR UNAUTHORIZED unknown or revoked token"),
            (#"AUTH {"token": "\#(tokens[0])"}"#, #"OK {"role": "planner"}"#),
            (#"TOKEN REVOKE {"id": 7}"#, #"OK {"id": 7, "revoked_at": "<time>"}"#),
            (#"AUTH {"token": "\#(tokens[2])"}"#, "ERR UNAUTHORIZED unknown or revoked token"),
        ])
        let replies = try ["TOKEN LIST {\"revoked\": true}", "AUDIT {\"limit\": 1000}"].map { try client.send($0) }
        let log = world.running.log
        #expect(!log.isEmpty)
        for token in tokens + [wrong] {
            #expect(token.count == 64)
            #expect(!log.contains { $0.contains(token) }, "a token is in the log")
            #expect(!replies.contains { $0.contains(token) }, "a token is in a reply")
        }
    }

    @Test func auditIsReadAPageAtATime() throws {
        let running = try RunningServer()
        defer { running.stop() }
        let planner = try running.connect(token: nil)
        let entries = [
            #"{"id": 1, "at": "<time>", "actor": "system:bootstrap", "action": "token.issued", "subject": "1", "detail": {"role": "planner", "subject": null}}"#,
            #"{"id": 2, "at": "<time>", "actor": "planner:token-1", "action": "scenario.import", "subject": null, "detail": {"replaced": false, "towns": 2, "accommodations": 3, "slots": 2, "freelancers": 6, "applications": 0, "bookings": 0}}"#,
            #"{"id": 3, "at": "<time>", "actor": "planner:token-1", "action": "freelancer.replaced", "subject": "f-1", "detail": {}}"#,
            #"{"id": 4, "at": "<time>", "actor": "planner:token-1", "action": "application.created", "subject": "a-1", "detail": {"freelancer": "f-1", "team": null}}"#,
            #"{"id": 5, "at": "<time>", "actor": "planner:token-1", "action": "application.withdrawn", "subject": "a-1", "detail": {"from": "pending", "to": "withdrawn"}}"#,
        ]
        try planner.expect([
            ("IMPORT {\"scenario\": \(Fixture.scenario(applications: [], bookings: []))}",
             #"OK {"imported": {"towns": 2, "accommodations": 3, "slots": 2, "freelancers": 6, "applications": 0, "bookings": 0}, "state_version": 1}"#),
            (#"PROFILE PUT {"freelancer": "f-1", "name": "青山"}"#,
             #"OK {"freelancer": {"id": "f-1", "name": "青山", "skills": [], "relocation": "none"}, "created": false}"#),
            (#"APPLY {"freelancer": "f-1", "earliest": "2030-06-01", "latest": "2030-07-01", "nights": 5, "budget_per_night": 0}"#,
             #"OK {"application": {"id": "a-1", "freelancer": "f-1", "earliest": "2030-06-01", "latest": "2030-07-01", "nights": 5, "towns": [], "kinds": [], "budget_per_night": 0, "labor": "preferred", "team": null}, "state": "pending"}"#),
            (#"WITHDRAW {"freelancer": "f-1", "application": "a-1"}"#, #"OK {"application": "a-1", "state": "withdrawn"}"#),
            (#"AUDIT {"limit": 2}"#, "OK {\"entries\": [\(entries[0]), \(entries[1])], \"next\": 2}"),
            (#"AUDIT {"after": 2, "limit": 2}"#, "OK {\"entries\": [\(entries[2]), \(entries[3])], \"next\": 4}"),
            (#"AUDIT {"after": 4, "limit": 2}"#, "OK {\"entries\": [\(entries[4])], \"next\": 5}"),
            (#"AUDIT {"after": 5, "limit": 2}"#, #"OK {"entries": [], "next": 5}"#),
            ("AUDIT", "OK {\"entries\": [\(entries.joined(separator: ", "))], \"next\": 5}"),
            (#"AUDIT {"limit": 0}"#, "ERR INVALID limit: 0 is out of range 1 to 1000"),
            (#"AUDIT {"limit": 1001}"#, "ERR INVALID limit: 1001 is out of range 1 to 1000"),
            (#"AUDIT {"after": -1}"#, "ERR INVALID after: -1 is out of range 0 to 9007199254740991"),
        ])
    }

    @Test func backupCopiesTheLiveDatabase() throws {
        let world = try World()
        defer { world.stop() }
        let path = world.running.directory.appendingPathComponent("backup.db").path
        let reply = try world.planner.send(#"BACKUP {"path": "\#(path)"}"#)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1
        #expect(reply == #"OK {"path": "\#(path)", "bytes": \#(size)}"#)
        #expect(size > 0)
        let copy = try ScenarioStore.open(path: path)
        #expect(try copy.counts().towns == 2)
        #expect(try copy.applicationStatus(ApplicationID("b1")).state == .confirmed)
        try world.planner.expect([
            (#"BACKUP {"path": "\#(path)"}"#, #"ERR CONFLICT path "\#(path)" exists"#),
            (#"BACKUP {"path": "backup.db"}"#, #"ERR INVALID path: "backup.db" is not an absolute path"#),
            ("BACKUP", "ERR INVALID path: missing required field"),
        ])
        #expect(try world.planner.send(#"BACKUP {"path": "/nonexistent/backup.db"}"#).hasPrefix("ERR SERVER_ERROR backup failed: "))
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/backup.db"))
    }
}
