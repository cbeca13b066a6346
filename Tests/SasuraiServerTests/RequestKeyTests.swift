import Foundation
import Testing

/// Idempotent retries (PROTOCOL.md section 4): a mutating request sent again with its key gets
/// the first reply and does nothing more.
@Suite struct RequestKeyTests {
    static let apply = #"APPLY {"earliest": "2030-06-01", "latest": "2030-07-01", "nights": 4, "budget_per_night": 3000"#

    static func pending(_ id: String, freelancer: String = "f-1", nights: Int = 4) -> String {
        #"OK {"application": {"id": "\#(id)", "freelancer": "\#(freelancer)", "earliest": "2030-06-01", "latest": "2030-07-01", "nights": \#(nights), "towns": [], "kinds": [], "budget_per_night": 3000, "labor": "preferred", "team": null}, "state": "pending"}"#
    }

    @Test func aRetriedApplyCreatesOneApplication() throws {
        let world = try World()
        defer { world.stop() }
        let again = try world.running.connect(token: world.tokens["f-1"])
        let reused = #"ERR CONFLICT request key "k1" was used for a different request"#
        try converse([
            (world.f1, Self.apply + #", "request": "k1"}"#, Self.pending("a-1")),
            (world.f1, Self.apply + #", "request": "k1"}"#, Self.pending("a-1")),
            // The key belongs to the token, not to the connection.
            (again, Self.apply + #", "request": "k1"}"#, Self.pending("a-1")),
            (world.f1, Self.apply.replacingOccurrences(of: "\"nights\": 4", with: "\"nights\": 5") + #", "request": "k1"}"#, reused),
            (world.f1, #"WITHDRAW {"application": "a-1", "request": "k1"}"#, reused),
            // Naming one's own scope is the same request.
            (world.f1, Self.apply + #", "freelancer": "f-1", "request": "k1"}"#, Self.pending("a-1")),
            // Another token's key of the same name is its own.
            (world.planner, Self.apply + #", "freelancer": "f-1", "request": "k1"}"#, Self.pending("a-2")),
            (world.f1, Self.apply + #", "request": "k2"}"#, Self.pending("a-3")),
        ])
        let listed = replyObject(try world.f1.send("APPLICATIONS"))["applications"] as? [[String: Any]] ?? []
        let ids = listed.compactMap { ($0["application"] as? [String: Any])?["id"] as? String }
        #expect(ids == ["a-1", "a-2", "a-3", "b1", "p6"])
    }

    @Test func anErrorIsNotRememberedSoTheRetryRunsAgain() throws {
        let world = try World()
        defer { world.stop() }
        let kim = try world.freelancer("f-9")
        let apply = Self.apply + #", "id": "kim-1", "request": "first"}"#
        try kim.expect([
            (apply, "ERR CONFLICT no profile; send PROFILE PUT first"),
            (#"PROFILE PUT {"name": "Kim", "request": "profile"}"#,
             #"OK {"freelancer": {"id": "f-9", "name": "Kim", "skills": [], "relocation": "none"}, "created": true}"#),
            (#"PROFILE PUT {"name": "Kim", "request": "profile"}"#,
             #"OK {"freelancer": {"id": "f-9", "name": "Kim", "skills": [], "relocation": "none"}, "created": true}"#),
            (apply, Self.pending("kim-1", freelancer: "f-9")),
            (apply, Self.pending("kim-1", freelancer: "f-9")),
        ])
    }

    /// A retry returns the stored reply even when the state has moved on since: the booking is
    /// not made again after its cancellation.
    @Test func aRetriedBookingIsNotMadeAgain() throws {
        let world = try World()
        defer { world.stop() }
        let book = #"BOOK {"application": "p1", "accommodation": "nanto-sh", "arrival": "2030-06-01", "request": "book-p1"}"#
        let booked = "OK {\"stay\": \(Fixture.stay("p1", "nanto", "nanto-sh", "2030-06-01"))}"
        let empty = #"OK {"town": "nanto", "from": "2030-06-01", "to": "2030-07-01", "stays": []}"#
        try world.nanto.expect([
            (book, booked),
            (book, booked),
            (#"CANCEL {"application": "p1", "request": "cancel-p1"}"#, #"OK {"application": "p1", "state": "pending"}"#),
            (book, booked),
            (#"ROSTER {"from": "2030-06-01", "to": "2030-07-01"}"#, empty),
            (#"CANCEL {"application": "p1", "request": "cancel-p1"}"#, #"OK {"application": "p1", "state": "pending"}"#),
            (#"CANCEL {"application": "p1", "request": "cancel-again"}"#, #"ERR FORBIDDEN application "p1" is not placed in your town"#),
        ])
    }

    /// PLAN with a key starts one run; the retry answers the first reply.
    @Test func aRetriedPlanStartsOneRun() throws {
        let world = try World(scenario: PlanCommandTests.scenario)
        defer { world.stop() }
        try world.planner.expect([
            (#"PLAN {"seconds": 1, "request": "plan-1"}"#, #"OK {"plan": 1, "status": "running"}"#),
            (#"PLAN {"seconds": 1, "request": "plan-1"}"#, #"OK {"plan": 1, "status": "running"}"#),
        ])
        try world.waitForPlan(1)
        try world.planner.expect([
            (#"PLAN {"seconds": 1, "request": "plan-1"}"#, #"OK {"plan": 1, "status": "running"}"#),
            (#"COMMIT {"plan": 1, "request": "commit-1"}"#, #"OK {"plan": 1, "offers": 3, "expires_at": "<time>"}"#),
        ])
        let committed = try world.planner.send(#"COMMIT {"plan": 1, "request": "commit-1"}"#)
        #expect(try world.planner.send(#"COMMIT {"plan": 1, "request": "commit-1"}"#) == committed)
        #expect(try world.planner.send("PLAN LIST").components(separatedBy: #""plan": "#).count == 2)
    }

    @Test func aRetriedBackupCopiesOnce() throws {
        let world = try World()
        defer { world.stop() }
        let path = world.running.directory.appendingPathComponent("keyed.db").path
        let first = try world.planner.send(#"BACKUP {"path": "\#(path)", "request": "backup-1"}"#)
        #expect(first.hasPrefix(#"OK {"path": "\#(path)", "bytes": "#))
        try world.planner.expect([
            (#"BACKUP {"path": "\#(path)", "request": "backup-1"}"#, first),
            (#"BACKUP {"path": "\#(path)x", "request": "backup-1"}"#,
             #"ERR CONFLICT request key "backup-1" was used for a different request"#),
            (#"BACKUP {"path": "\#(path)", "request": "backup-2"}"#, #"ERR CONFLICT path "\#(path)" exists"#),
        ])
    }

    @Test func keysAreCheckedLikeAnyParameter() throws {
        let world = try World()
        defer { world.stop() }
        try converse([
            (world.f1, Self.apply + #", "request": "a b"}"#,
             #"ERR INVALID request: "a b" is not an id (1 to 64 characters of a-z A-Z 0-9 . _ -)"#),
            (world.f1, Self.apply + #", "request": 7}"#, "ERR INVALID request: expected an id, got 7"),
            (world.nanto, #"TOWN {"request": "k"}"#, "ERR INVALID request: unknown field; expected one of town"),
            (world.planner, #"TOKEN ISSUE {"role": "planner", "request": "k"}"#,
             "ERR INVALID request: unknown field; expected one of role, subject, label"),
        ])
    }
}
