import SasuraiCore

/// What freelancers do themselves: keep a profile, apply, and answer offers.
///
/// Each write appends an audit row and bumps the state version, since profiles and applications
/// are what a run plans from. Answers to offers go through `moveApplication` once the refusals
/// below are ruled out, so the lifecycle keeps one implementation.
extension ScenarioStore {
    // MARK: Profile

    /// Creates the freelancer's profile (returns true) or replaces it (false).
    ///
    /// Refused with `conflict` when it drops a skill that the slot of one of the freelancer's
    /// offered or confirmed stays needs: the stay would no longer be valid (rule 7).
    @discardableResult
    public func putFreelancer(_ freelancer: Freelancer, actor: String) throws -> Bool {
        let id = freelancer.id.rawValue
        return try createOrReplace(
            "freelancer", id: id, detail: "{}", actor: actor,
            exists: { try database.fetchOne("SELECT 1 FROM freelancers WHERE id = ?", arguments: [id]) != nil },
            create: { try insertFreelancers([freelancer]) },
            replace: {
                try checkSkillsStillHeld(by: freelancer)
                try database.execute("UPDATE freelancers SET name = ?, relocation = ? WHERE id = ?",
                                     arguments: [freelancer.name, freelancer.relocation.rawValue, id])
                try database.execute("DELETE FROM freelancer_skills WHERE freelancer_id = ?", arguments: [id])
                try insertSkills(freelancer.skills, into: "freelancer_skills", owner: "freelancer_id", id: id)
            })
    }

    /// Refuses a profile without a skill that a slot of the freelancer's stays needs, naming the
    /// earliest such stay.
    private func checkSkillsStillHeld(by freelancer: Freelancer) throws {
        let kept = Set(freelancer.skills)
        var refusal: String?
        try forEachRow("""
            SELECT placements.slot_id, slot_skills.skill, applications.state FROM placements
            JOIN applications ON applications.id = placements.application_id
            JOIN slot_skills ON slot_skills.slot_id = placements.slot_id
            WHERE applications.freelancer_id = ?
            ORDER BY placements.arrival, placements.application_id, slot_skills.skill
            """, arguments: [freelancer.id.rawValue]) { row in
            let skill = try row.requiredText(at: 1)
            guard refusal == nil, !kept.contains(skill) else { return }
            let state: ApplicationState = try row.choice(at: 2)
            refusal = "skill \"\(skill)\" is needed by slot \"\(try row.requiredText(at: 0))\" of "
                + (state == .offered ? "an offered stay" : "a \(state.rawValue) stay")
        }
        if let refusal { throw StoreError.conflict(refusal) }
    }

    // MARK: Applications

    /// The id the next application without one gets: `a-<n>`, n one more than the largest n
    /// among the ids of the form `a-<digits>` (1 when there is none).
    ///
    /// The digits are compared as numbers of any length, so an id such as
    /// `a-99999999999999999999` cannot overflow the count; `conflict` only when the next id
    /// would be longer than an id may be.
    public func nextApplicationID() throws -> ApplicationID {
        let largest: String
        if let known = largestApplicationNumber {
            largest = known
        } else {
            // Longest digits without leading zeros first, then the larger text: numeric order.
            let found = try String.fetchOne(database, sql: """
                SELECT ltrim(substr(id, 3), '0') AS digits FROM applications
                WHERE id GLOB 'a-[0-9]*' AND substr(id, 3) NOT GLOB '*[^0-9]*'
                ORDER BY length(digits) DESC, digits DESC LIMIT 1
                """) ?? "0"
            largest = found.isEmpty ? "0" : found
            largestApplicationNumber = largest
        }
        let next = Self.incremented(largest)
        let id = "a-" + next
        guard IdentifierRules.isValidIdentifier(id) else {
            throw StoreError.conflict("no application id is left after \"a-\(largest)\"; give an id")
        }
        return ApplicationID(id)
    }

    /// Keeps `largestApplicationNumber` ahead of an id a client chose, such as `a-500`.
    private func noteApplicationNumber(of id: ApplicationID) {
        guard let known = largestApplicationNumber else { return }
        let text = id.rawValue
        guard text.hasPrefix("a-"), text.count > 2, text.dropFirst(2).allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return
        }
        var digits = String(text.dropFirst(2).drop { $0 == "0" })
        if digits.isEmpty { digits = "0" }
        if digits.count > known.count || (digits.count == known.count && digits > known) {
            largestApplicationNumber = digits
        }
    }

    /// Decimal digits plus one, as text of any length.
    private static func incremented(_ digits: String) -> String {
        var result = Array(digits.utf8)
        var position = result.count - 1
        while position >= 0 {
            if result[position] == UInt8(ascii: "9") {
                result[position] = UInt8(ascii: "0")
                position -= 1
            } else {
                result[position] += 1
                return String(decoding: result, as: UTF8.self)
            }
        }
        return "1" + String(decoding: result, as: UTF8.self)
    }

    /// Stores a new application of an existing freelancer, pending.
    ///
    /// Refused with `conflict` when the freelancer has no profile, the id is taken, the team's
    /// members ask for other nights, or the freelancer is in the team already (MODEL.md's input
    /// rules for teams, checked against every member whatever its state, so that an export stays
    /// a valid scenario); with `invalidField` naming `towns[i]` for an unknown town.
    public func addApplication(_ application: Application, actor: String) throws {
        try Self.validateActor(actor)
        let now = Timestamp.iso(clock())
        try write {
            guard try database.fetchOne("SELECT 1 FROM freelancers WHERE id = ?",
                                        arguments: [application.freelancer.rawValue]) != nil else {
                throw StoreError.conflict("no profile; send PROFILE PUT first")
            }
            guard try database.fetchOne("SELECT 1 FROM applications WHERE id = ?",
                                        arguments: [application.id.rawValue]) == nil else {
                throw StoreError.conflict("application \"\(application.id)\" already exists")
            }
            for (index, town) in application.towns.enumerated() {
                guard try database.fetchOne("SELECT 1 FROM towns WHERE id = ?", arguments: [town.rawValue]) != nil else {
                    throw StoreError.invalidField(path: "towns[\(index)]", message: "no town \"\(town)\"")
                }
            }
            if let team = application.team {
                try checkTeamAdmits(application, team: team)
            }
            try insertApplications([application], booked: [], now: now)
            try insertAuditRow(at: now, actor: actor, action: "application.created", subject: application.id.rawValue,
                               detail: Self.auditDetail(["freelancer": .text(application.freelancer.rawValue),
                                                         "team": .text(application.team?.rawValue)]))
            _ = try bumpStateVersion()
            // Last: a refused application must not use up a number.
            noteApplicationNumber(of: application.id)
        }
    }

    private func checkTeamAdmits(_ application: Application, team: TeamID) throws {
        var refusal: String?
        try forEachRow("SELECT id, freelancer_id, nights FROM applications WHERE team = ? ORDER BY id",
                       arguments: [team.rawValue]) { row in
            guard refusal == nil else { return }
            let nights = row.int(at: 2)
            if nights != application.nights {
                refusal = "team \"\(team)\" asks for \(nights) nights, this application for \(application.nights)"
            } else if try row.requiredText(at: 1) == application.freelancer.rawValue {
                refusal = "\"\(application.freelancer)\" is in team \"\(team)\" already, with application "
                    + "\"\(try row.requiredText(at: 0))\""
            }
        }
        if let refusal { throw StoreError.conflict(refusal) }
    }

    // MARK: Answers

    /// Accepts a live offer: the application becomes confirmed and keeps its place.
    ///
    /// `notFound` for an unknown application; `conflict` when it is not offered or the offer's
    /// deadline has passed (`expireOffers` moves it to expired; this only refuses).
    @discardableResult
    public func acceptOffer(_ application: ApplicationID, actor: String) throws -> ApplicationStatus {
        try answerOffer(application, with: .confirmed, actor: actor)
    }

    /// Declines a live offer, freeing its place; refusals as `acceptOffer(_:actor:)`.
    @discardableResult
    public func declineOffer(_ application: ApplicationID, actor: String) throws -> ApplicationStatus {
        try answerOffer(application, with: .declined, actor: actor)
    }

    private func answerOffer(_ application: ApplicationID, with answer: ApplicationState,
                             actor: String) throws -> ApplicationStatus {
        try Self.validateActor(actor)
        let now = Timestamp.iso(clock())
        return try write {
            let status = try applicationStatus(application)
            guard status.state == .offered else {
                throw StoreError.conflict("application \"\(application)\" is \(status.state.rawValue), not offered")
            }
            if let deadline = status.offerExpiresAt, deadline <= now {
                throw StoreError.conflict("the offer for \"\(application)\" expired at \(deadline)")
            }
            return try moveApplication(application, to: answer, actor: actor)
        }
    }

    /// Withdraws an application that is pending, or offered or confirmed for a stay that has not
    /// begun; its place, if any, is freed.
    ///
    /// `notFound` for an unknown application; `conflict` when it is declined, withdrawn, expired
    /// or cancelled, or when its stay arrives today or earlier (the UTC day of `clock`).
    @discardableResult
    public func withdraw(_ application: ApplicationID, actor: String) throws -> ApplicationStatus {
        try Self.validateActor(actor)
        let today = Timestamp.day(clock())
        return try write {
            let status = try applicationStatus(application)
            guard status.state.canMove(to: .withdrawn) else {
                throw StoreError.conflict("application \"\(application)\" is \(status.state.rawValue); "
                                          + "it cannot be withdrawn")
            }
            if let arrival = try placement(of: application)?.assignment.arrival, arrival <= today {
                throw StoreError.conflict("the stay of \"\(application)\" has begun")
            }
            return try moveApplication(application, to: .withdrawn, actor: actor)
        }
    }
}
