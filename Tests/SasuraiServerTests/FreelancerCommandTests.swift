import Foundation
import Testing

/// PROTOCOL.md 7.3: every freelancer command's reply and each of its documented errors.
/// Answers to offers (ACCEPT and DECLINE of an offered application) need a committed plan and
/// are in PlanCommandTests.
@Suite struct FreelancerCommandTests {
    static let window = #""earliest": "2030-06-01", "latest": "2030-07-01", "nights": 5, "budget_per_night": 4000"#

    static func application(_ id: String, freelancer: String = "f-9", towns: String = "[]", kinds: String = "[]",
                            labor: String = "preferred", team: String = "null", nights: Int = 5) -> String {
        #"{"id": "\#(id)", "freelancer": "\#(freelancer)", "earliest": "2030-06-01", "latest": "2030-07-01", "nights": \#(nights), "towns": \#(towns), "kinds": \#(kinds), "budget_per_night": 4000, "labor": "\#(labor)", "team": \#(team)}"#
    }

    static func pending(_ application: String) -> String {
        "OK {\"application\": \(application), \"state\": \"pending\"}"
    }

    @Test func aNewFreelancerKeepsAProfileAndApplies() throws {
        let world = try World()
        defer { world.stop() }
        let kim = try world.freelancer("f-9")
        try converse([
            (kim, "PROFILE", #"ERR NOT_FOUND freelancer "f-9""#),
            (kim, "APPLY {\"id\": \"x0\", \(Self.window)}", "ERR CONFLICT no profile; send PROFILE PUT first"),
            (kim, #"PROFILE PUT {"name": "Kim"}"#,
             #"OK {"freelancer": {"id": "f-9", "name": "Kim", "skills": [], "relocation": "none"}, "created": true}"#),
            (kim, #"PROFILE PUT {"name": "Kim", "skills": ["web-design", "farming"], "relocation": "planning"}"#,
             #"OK {"freelancer": {"id": "f-9", "name": "Kim", "skills": ["farming", "web-design"], "relocation": "planning"}, "created": false}"#),
            (kim, #"PROFILE {"freelancer": "f-9"}"#,
             #"OK {"freelancer": {"id": "f-9", "name": "Kim", "skills": ["farming", "web-design"], "relocation": "planning"}}"#),
            (kim, #"PROFILE {"freelancer": "f-1"}"#, #"ERR FORBIDDEN freelancer "f-1" is not you"#),
            (kim, #"PROFILE PUT {"name": ""}"#, "ERR INVALID name: must not be empty"),
            (kim, "PROFILE PUT {\"name\": \"\(String(repeating: "名", count: 201))\"}", "ERR INVALID name: longer than 200 characters"),
            (kim, #"PROFILE PUT {"name": "Kim", "relocation": "maybe"}"#,
             #"ERR INVALID relocation: "maybe" is not one of none, considering, planning"#),
            (kim, "APPLY {\(Self.window)}", Self.pending(Self.application("a-1"))),
            (kim, "APPLY {\(Self.window)}", Self.pending(Self.application("a-2"))),
            (world.planner, "APPLY {\"freelancer\": \"f-9\", \(Self.window)}", Self.pending(Self.application("a-3"))),
            (kim, #"APPLY {"earliest": "2030-06-01", "latest": "2030-07-01", "nights": 4, "budget_per_night": 4000, "team": "t1"}"#,
             Self.pending(Self.application("a-4", team: #""t1""#, nights: 4))),
            (kim, "APPLY {\"id\": \"a-1\", \(Self.window)}", #"ERR CONFLICT application "a-1" already exists"#),
            (kim, #"APPLY {"id": "mine", "#
                + #""earliest": "2030-06-01", "latest": "2030-07-01", "nights": 5, "towns": ["wake", "nanto"], "kinds": ["homestay"], "budget_per_night": 4000, "labor": "required"}"#,
             Self.pending(Self.application("mine", towns: #"["wake", "nanto"]"#, kinds: #"["homestay"]"#, labor: "required"))),
            (kim, "APPLY {\"id\": \"x1\", \(Self.window), \"towns\": [\"nanto\", \"atlantis\"]}", #"ERR INVALID towns[1]: no town "atlantis""#),
            (kim, "APPLY {\(Self.window), \"towns\": [\"nanto\", \"nanto\"]}", #"ERR INVALID towns[1]: duplicate "nanto""#),
            (kim, "APPLY {\"id\": \"x2\", \(Self.window), \"team\": \"t1\"}", #"ERR CONFLICT team "t1" asks for 4 nights, this application for 5"#),
            (kim, #"APPLY {"earliest": "2030-06-01", "latest": "2030-07-01", "nights": 40, "budget_per_night": 4000}"#,
             "ERR INVALID nights: 40 nights do not fit between earliest and latest"),
            (kim, #"APPLY {"earliest": "2030-06-01", "latest": "2030-05-01", "nights": 4, "budget_per_night": 4000}"#,
             "ERR INVALID latest: must be after earliest (2030-06-01)"),
            (kim, #"APPLY {"earliest": "2030-06-01", "latest": "2030-07-01", "nights": 4}"#,
             "ERR INVALID budget_per_night: missing required field"),
            (kim, "APPLY {\"freelancer\": \"f-1\", \(Self.window)}", #"ERR FORBIDDEN freelancer "f-1" is not you"#),
            (world.planner, "APPLY {\(Self.window)}", "ERR INVALID freelancer: missing required field"),
            (world.planner, "APPLY {\"id\": \"x3\", \"freelancer\": \"f-0\", \(Self.window)}", "ERR CONFLICT no profile; send PROFILE PUT first"),
        ])
    }

    /// A server-assigned id is `a-<n>` with n one more than the largest taken: an APPLY that
    /// was refused takes no number.
    @Test func refusedApplicationsTakeNoNumber() throws {
        let world = try World()
        defer { world.stop() }
        let kim = try world.freelancer("f-9")
        try kim.expect([
            ("APPLY {\(Self.window)}", "ERR CONFLICT no profile; send PROFILE PUT first"),
            (#"PROFILE PUT {"name": "Kim"}"#,
             #"OK {"freelancer": {"id": "f-9", "name": "Kim", "skills": [], "relocation": "none"}, "created": true}"#),
            ("APPLY {\(Self.window), \"towns\": [\"atlantis\"]}", #"ERR INVALID towns[0]: no town "atlantis""#),
            ("APPLY {\(Self.window)}", Self.pending(Self.application("a-1"))),
            ("APPLY {\"id\": \"a-7\", \(Self.window)}", Self.pending(Self.application("a-7"))),
            ("APPLY {\(Self.window)}", Self.pending(Self.application("a-8"))),
        ])
    }

    @Test func aProfileKeepsTheSkillsItsStaysNeed() throws {
        let world = try World()
        defer { world.stop() }
        // b1 works the nanto harvest, which needs farming.
        try world.f1.expect([
            (#"PROFILE PUT {"name": "青山", "skills": ["writing"]}"#,
             #"ERR CONFLICT skill "farming" is needed by slot "nanto-harvest" of a confirmed stay"#),
            (#"PROFILE PUT {"name": "青山 葵", "skills": ["writing", "farming"]}"#,
             #"OK {"freelancer": {"id": "f-1", "name": "青山 葵", "skills": ["farming", "writing"], "relocation": "none"}, "created": false}"#),
        ])
    }

    @Test func applicationsAreListedWithdrawnAndTravelled() throws {
        let world = try World()
        defer { world.stop() }
        let b1 = "{\"application\": \(Fixture.application("b1", "f-1")), \"state\": \"confirmed\", "
            + "\"state_changed_at\": \"<time>\", \"offer_expires_at\": null, \"stay\": "
            + Fixture.stay("b1", "nanto", "nanto-gh", "2030-09-10", slot: "nanto-harvest", laborDays: 4, source: "booking") + "}"
        let p6 = "{\"application\": \(Fixture.application("p6", "f-1")), \"state\": \"pending\", "
            + "\"state_changed_at\": \"<time>\", \"offer_expires_at\": null, \"stay\": null}"
        let itinerary = "OK {\"freelancer\": \"f-1\", \"stays\": ["
            + Fixture.stayMembers("b1", "nanto", "nanto-gh", "2030-09-10", slot: "nanto-harvest", laborDays: 4, source: "booking")
            + #", "town_name": "南砺市", "accommodation_name": "五箇山ゲストハウス", "slot_title": "稲刈り", "departure": "2030-09-14"}]}"#
        try converse([
            (world.f1, "APPLICATIONS", "OK {\"applications\": [\(b1), \(p6)]}"),
            (world.f1, #"APPLICATIONS {"state": "confirmed"}"#, "OK {\"applications\": [\(b1)]}"),
            (world.f1, #"APPLICATIONS {"state": "expired"}"#, #"OK {"applications": []}"#),
            (world.f1, #"APPLICATIONS {"state": "lost"}"#,
             #"ERR INVALID state: "lost" is not one of pending, offered, confirmed, declined, withdrawn, expired, cancelled"#),
            (world.planner, #"APPLICATIONS {"freelancer": "f-1", "state": "pending"}"#, "OK {\"applications\": [\(p6)]}"),
            (world.f1, "ITINERARY", itinerary),
            (world.f1, #"ITINERARY {"from": "2030-09-13"}"#, itinerary),
            (world.f1, #"ITINERARY {"to": "2030-09-11"}"#, itinerary),
            (world.f1, #"ITINERARY {"from": "2030-09-14", "to": "2030-10-01"}"#, #"OK {"freelancer": "f-1", "stays": []}"#),
            (world.f1, #"ITINERARY {"to": "2030-09-10"}"#, #"OK {"freelancer": "f-1", "stays": []}"#),
            (world.f1, #"ITINERARY {"from": "2030-09-14", "to": "2030-09-01"}"#, "ERR INVALID to: must be after from (2030-09-14)"),
            (world.f1, #"ACCEPT {"application": "b1"}"#, #"ERR CONFLICT application "b1" is confirmed, not offered"#),
            (world.f1, #"DECLINE {"application": "p6"}"#, #"ERR CONFLICT application "p6" is pending, not offered"#),
            (world.f1, #"ACCEPT {"application": "p6"}"#, #"ERR CONFLICT application "p6" is pending, not offered"#),
            (world.f1, #"WITHDRAW {"application": "p6"}"#, #"OK {"application": "p6", "state": "withdrawn"}"#),
            (world.f1, #"WITHDRAW {"application": "p6"}"#, #"ERR CONFLICT application "p6" is withdrawn; it cannot be withdrawn"#),
            (world.f1, #"DECLINE {"application": "p6"}"#, #"ERR CONFLICT application "p6" is withdrawn, not offered"#),
            (world.f1, #"WITHDRAW {"application": "b1"}"#, #"OK {"application": "b1", "state": "withdrawn"}"#),
            (world.f1, "ITINERARY", #"OK {"freelancer": "f-1", "stays": []}"#),
            (world.planner, #"WITHDRAW {"freelancer": "f-1", "application": "ghost"}"#, #"ERR NOT_FOUND application "ghost""#),
            (world.planner, #"WITHDRAW {"freelancer": "f-2", "application": "b2"}"#, #"OK {"application": "b2", "state": "withdrawn"}"#),
            (world.nanto, #"ROSTER {"from": "2030-09-01", "to": "2030-10-01"}"#,
             #"OK {"town": "nanto", "from": "2030-09-01", "to": "2030-10-01", "stays": []}"#),
        ])
    }

    @Test func aStayThatHasBegunCannotBeWithdrawn() throws {
        let world = try World()
        defer { world.stop() }
        let fujii = try world.freelancer("f-6")
        try converse([
            (world.nanto, #"BOOK {"application": "p4", "accommodation": "nanto-sh", "arrival": "2020-03-01"}"#,
             "OK {\"stay\": \(Fixture.stay("p4", "nanto", "nanto-sh", "2020-03-01"))}"),
            (fujii, #"WITHDRAW {"application": "p4"}"#, #"ERR CONFLICT the stay of "p4" has begun"#),
            (fujii, #"WITHDRAW {"application": "p5"}"#, #"OK {"application": "p5", "state": "withdrawn"}"#),
        ])
    }
}
