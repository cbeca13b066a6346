/// The checks that tie a scenario's entities together, run after each entity read cleanly.
enum ScenarioChecker {
    static func checkReferences(_ scenario: Scenario, _ diagnostics: DiagnosticCollector) {
        let towns = uniqueIndex(scenario.towns.map(\.id), "towns", "town", diagnostics)
        let accommodations = uniqueIndex(scenario.accommodations.map(\.id), "accommodations", "accommodation", diagnostics)
        let slots = uniqueIndex(scenario.slots.map(\.id), "slots", "slot", diagnostics)
        let freelancers = uniqueIndex(scenario.freelancers.map(\.id), "freelancers", "freelancer", diagnostics)
        let applications = uniqueIndex(scenario.applications.map(\.id), "applications", "application", diagnostics)

        func reference<Entity>(_ id: Identifier<Entity>, in index: [Identifier<Entity>: Int], _ path: String, _ what: String) {
            if index[id] == nil { diagnostics.report(path, "unknown \(what) \"\(id)\"") }
        }
        for (position, accommodation) in scenario.accommodations.enumerated() {
            reference(accommodation.town, in: towns, "accommodations[\(position)].town", "town")
        }
        for (position, slot) in scenario.slots.enumerated() {
            reference(slot.town, in: towns, "slots[\(position)].town", "town")
        }
        for (position, application) in scenario.applications.enumerated() {
            let path = "applications[\(position)]"
            reference(application.freelancer, in: freelancers, path + ".freelancer", "freelancer")
            for (rank, town) in application.towns.enumerated() {
                reference(town, in: towns, path + ".towns[\(rank)]", "town")
            }
        }
        var booked: [ApplicationID: Int] = [:]
        for (position, booking) in scenario.bookings.enumerated() {
            let path = "bookings[\(position)]"
            reference(booking.application, in: applications, path + ".application", "application")
            reference(booking.town, in: towns, path + ".town", "town")
            reference(booking.accommodation, in: accommodations, path + ".accommodation", "accommodation")
            if let slot = booking.slot { reference(slot, in: slots, path + ".slot", "slot") }
            if let first = booked[booking.application] {
                diagnostics.report(path + ".application",
                                   "application \"\(booking.application)\" is already booked at bookings[\(first)]")
            } else {
                booked[booking.application] = position
            }
        }
        checkTeams(scenario, booked: booked, diagnostics)
        checkHorizon(scenario, diagnostics)
    }

    /// Maps each id to its position, reporting every repeat at its later place.
    private static func uniqueIndex<Entity>(_ ids: [Identifier<Entity>], _ list: String, _ what: String,
                                            _ diagnostics: DiagnosticCollector) -> [Identifier<Entity>: Int] {
        var index: [Identifier<Entity>: Int] = [:]
        index.reserveCapacity(ids.count)
        for (position, id) in ids.enumerated() {
            if let first = index[id] {
                diagnostics.report("\(list)[\(position)].id", "duplicate \(what) id \"\(id)\" (first at \(list)[\(first)])")
            } else {
                index[id] = position
            }
        }
        return index
    }

    /// Rule 12's input side: members ask for equal nights, are different people, and are
    /// booked all together or not at all.
    private static func checkTeams(_ scenario: Scenario, booked: [ApplicationID: Int], _ diagnostics: DiagnosticCollector) {
        var firstMember: [TeamID: Int] = [:]
        var freelancersInTeam: [TeamID: [FreelancerID: Int]] = [:]
        var members: [TeamID: [Int]] = [:]
        for (position, application) in scenario.applications.enumerated() {
            guard let team = application.team else { continue }
            let path = "applications[\(position)]"
            members[team, default: []].append(position)
            if let first = firstMember[team] {
                let leader = scenario.applications[first]
                if leader.nights != application.nights {
                    diagnostics.report(path + ".nights", "team \"\(team)\" members ask for different nights "
                                       + "(\(application.nights) here, \(leader.nights) at applications[\(first)])")
                }
            } else {
                firstMember[team] = position
            }
            if let other = freelancersInTeam[team]?[application.freelancer] {
                diagnostics.report(path + ".team", "freelancer \"\(application.freelancer)\" is in team \"\(team)\" "
                                   + "twice (also applications[\(other)])")
            } else {
                freelancersInTeam[team, default: [:]][application.freelancer] = position
            }
        }
        for team in members.keys.sorted() {
            let positions = members[team]!
            let bookedPositions = positions.filter { booked[scenario.applications[$0].id] != nil }
            guard !bookedPositions.isEmpty, bookedPositions.count < positions.count else { continue }
            let missing = positions.filter { booked[scenario.applications[$0].id] == nil }
                .map { "\"\(scenario.applications[$0].id)\"" }
            diagnostics.report("bookings[\(booked[scenario.applications[bookedPositions[0]].id]!)]",
                               "team \"\(team)\" is booked only in part: "
                               + "\(missing.joined(separator: ", ")) not booked")
        }
    }

    private static func checkHorizon(_ scenario: Scenario, _ diagnostics: DiagnosticCollector) {
        guard let horizon = scenario.horizon, horizon.count > ModelLimits.maximumHorizonNights else { return }
        diagnostics.report("$", "scenario spans \(horizon.count) nights from \(horizon.from.iso) to \(horizon.to.iso); "
                           + "at most \(ModelLimits.maximumHorizonNights) are allowed")
    }

    /// Bookings must keep rules 1, 3, 4, 7 and, together, 9-12 (MODEL.md).
    static func checkBookings(_ scenario: Scenario, _ diagnostics: DiagnosticCollector) {
        guard !scenario.bookings.isEmpty else { return }
        var position: [ApplicationID: Int] = [:]
        for (index, booking) in scenario.bookings.enumerated() { position[booking.application] = index }
        for violation in PlanValidator(scenario: scenario).validateBookings() {
            let path: String
            if violation.applications.count == 1, let index = position[violation.applications[0]] {
                path = "bookings[\(index)]"
            } else {
                path = "bookings"
            }
            diagnostics.report(path, violation.description)
        }
    }
}
