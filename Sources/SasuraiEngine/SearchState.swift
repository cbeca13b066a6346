/// One complete assignment of applications to placements, kept consistent with its occupancy.
///
/// Moves are `place` and `remove`; while a move is being tried every change is logged so
/// that `rollback` can undo it exactly, which is cheaper than copying the state.
final class SearchState {
    let problem: CompiledProblem
    let occupancy: Occupancy
    private(set) var placements: [Placement]
    private(set) var score: Int = 0
    private(set) var placedCount: Int = 0
    /// Applications that may never move (bookings, locked placements).
    private(set) var isFixed: [Bool]
    /// Applications that may not be placed at all (withdrawn, or cancelled until the next run).
    private(set) var isBlocked: [Bool]
    /// Teams with a fixed member: the others must stay beside it, so none of them moves.
    private var teamIsPinned: [Bool]
    /// Placed applications per town, with each one's position for O(1) removal.
    private(set) var placedInTown: [[Int32]]
    private var positionInTown: [Int32]
    /// Placed applications per accommodation, kept the same way.
    private(set) var placedInAccommodation: [[Int32]]
    private var positionInAccommodation: [Int32]
    private var journal: [(application: Int32, previous: Placement)] = []
    private var journaling = false

    init(problem: CompiledProblem) {
        self.problem = problem
        occupancy = Occupancy(capacities: problem.resourceCapacity, nightCount: problem.nightCount)
        placements = [Placement](repeating: .none, count: problem.applications.count)
        var fixed = [Bool](repeating: false, count: problem.applications.count)
        for application in problem.fixedPlacements.keys { fixed[Int(application)] = true }
        isFixed = fixed
        isBlocked = [Bool](repeating: false, count: problem.applications.count)
        teamIsPinned = problem.teams.map { members in members.contains { fixed[Int($0)] } }
        placedInTown = [[Int32]](repeating: [], count: problem.townCount)
        positionInTown = [Int32](repeating: -1, count: problem.applications.count)
        placedInAccommodation = [[Int32]](repeating: [], count: problem.accommodationCount)
        positionInAccommodation = [Int32](repeating: -1, count: problem.applications.count)
        for (application, placement) in problem.fixedPlacements.sorted(by: { $0.key < $1.key }) {
            apply(Int(application), placement, delta: 1)
        }
    }

    /// Makes this state equal to `other`, which shares the problem.
    func copy(from other: SearchState) {
        occupancy.copy(from: other.occupancy)
        isFixed = other.isFixed
        isBlocked = other.isBlocked
        teamIsPinned = other.teamIsPinned
        placements = other.placements
        score = other.score
        placedCount = other.placedCount
        placedInTown = other.placedInTown
        positionInTown = other.positionInTown
        placedInAccommodation = other.placedInAccommodation
        positionInAccommodation = other.positionInAccommodation
        journal.removeAll(keepingCapacity: true)
        journaling = false
    }

    /// Rebuilds the state from a list of placements (fixed ones are kept whatever it says).
    func reset(to target: [Placement]) {
        // Only what differs is touched: re-planning resets a large plan after a small change.
        var changed: [Int] = []
        for application in 0..<placements.count where placements[application] != target[application] && !isFixed[application] {
            changed.append(application)
            if placements[application].isPlaced { apply(application, placements[application], delta: -1) }
        }
        for application in changed where target[application].isPlaced {
            apply(application, target[application], delta: 1)
        }
        journal.removeAll(keepingCapacity: true)
        journaling = false
    }

    @inline(__always)
    func town(of placement: Placement) -> Int {
        Int(problem.accommodationTown[Int(placement.accommodation)])
    }

    /// True when `placement` of `application` fits the current occupancy.
    @inline(__always)
    func fits(_ application: Int, _ placement: Placement) -> Bool {
        let info = problem.applications[application]
        let from = Int(placement.arrival)
        let to = from + Int(info.nights)
        let accommodation = Int(placement.accommodation)
        guard Int(problem.openEnd[accommodation * problem.nightCount + from]) >= to else { return false }
        guard occupancy.fits(accommodation, from: from, to: to),
              occupancy.fits(problem.townResourceBase + town(of: placement), from: from, to: to) else { return false }
        if info.freelancerResource >= 0 && !occupancy.fits(Int(info.freelancerResource), from: from, to: to) { return false }
        if placement.slot >= 0 {
            let slot = Int(placement.slot)
            let laborFrom = max(from, Int(problem.slotFrom[slot]))
            let laborTo = min(to, Int(problem.slotTo[slot]))
            if !occupancy.fits(problem.slotResourceBase + slot, from: laborFrom, to: laborTo) { return false }
        }
        return true
    }

    private func apply(_ application: Int, _ placement: Placement, delta: Int32) {
        let info = problem.applications[application]
        let from = Int(placement.arrival)
        let to = from + Int(info.nights)
        let accommodation = Int(placement.accommodation)
        let townNumber = town(of: placement)
        occupancy.add(accommodation, from: from, to: to, delta: delta)
        occupancy.add(problem.townResourceBase + townNumber, from: from, to: to, delta: delta)
        if info.freelancerResource >= 0 { occupancy.add(Int(info.freelancerResource), from: from, to: to, delta: delta) }
        if placement.slot >= 0 {
            let slot = Int(placement.slot)
            let laborFrom = max(from, Int(problem.slotFrom[slot]))
            let laborTo = min(to, Int(problem.slotTo[slot]))
            occupancy.add(problem.slotResourceBase + slot, from: laborFrom, to: laborTo, delta: delta)
        }
        let placementScore = problem.score(application: application, placement: placement)
        if delta > 0 {
            placements[application] = placement
            score += placementScore
            placedCount += 1
            positionInTown[application] = Int32(placedInTown[townNumber].count)
            placedInTown[townNumber].append(Int32(application))
            positionInAccommodation[application] = Int32(placedInAccommodation[accommodation].count)
            placedInAccommodation[accommodation].append(Int32(application))
        } else {
            placements[application] = .none
            score -= placementScore
            placedCount -= 1
            let position = Int(positionInTown[application])
            let last = placedInTown[townNumber].removeLast()
            if Int(last) != application {
                placedInTown[townNumber][position] = last
                positionInTown[Int(last)] = Int32(position)
            }
            positionInTown[application] = -1
            let bedPosition = Int(positionInAccommodation[application])
            let lastInBed = placedInAccommodation[accommodation].removeLast()
            if Int(lastInBed) != application {
                placedInAccommodation[accommodation][bedPosition] = lastInBed
                positionInAccommodation[Int(lastInBed)] = Int32(bedPosition)
            }
            positionInAccommodation[application] = -1
        }
    }

    /// Places an unplaced application; the caller has checked that it fits.
    func place(_ application: Int, _ placement: Placement) {
        precondition(!placements[application].isPlaced)
        if journaling { journal.append((Int32(application), .none)) }
        apply(application, placement, delta: 1)
    }

    /// Removes a placed, movable application.
    func remove(_ application: Int) {
        let previous = placements[application]
        precondition(previous.isPlaced && !isFixed[application])
        if journaling { journal.append((Int32(application), previous)) }
        apply(application, previous, delta: -1)
    }

    /// True when the search may not take this application out: fixed, or in a pinned team.
    @inline(__always)
    func isPinned(_ application: Int) -> Bool {
        if isFixed[application] { return true }
        let team = Int(problem.applications[application].team)
        return team >= 0 && teamIsPinned[team]
    }

    /// Takes an application out of the plan for good, even a fixed one, and keeps it out.
    func withdraw(_ application: Int) {
        isFixed[application] = false
        if placements[application].isPlaced { remove(application) }
        isBlocked[application] = true
        let team = Int(problem.applications[application].team)
        if team >= 0 { teamIsPinned[team] = problem.teams[team].contains { isFixed[Int($0)] } }
    }

    /// Lets a blocked application be placed again.
    func unblock(_ application: Int) {
        isBlocked[application] = false
    }

    /// Starts logging changes so that `rollback` can undo them.
    func beginMove() {
        journal.removeAll(keepingCapacity: true)
        journaling = true
    }

    /// Keeps the changes since `beginMove`.
    func commitMove() {
        journaling = false
        journal.removeAll(keepingCapacity: true)
    }

    /// Undoes every change since `beginMove`, newest first.
    func rollback() {
        journaling = false
        while let (application, previous) = journal.popLast() {
            let index = Int(application)
            if placements[index].isPlaced { apply(index, placements[index], delta: -1) }
            if previous.isPlaced { apply(index, previous, delta: 1) }
        }
    }

    /// Checks every invariant from scratch; debug builds call it after each move.
    func checkInvariants() {
        let check = Occupancy(capacities: problem.resourceCapacity, nightCount: problem.nightCount)
        var recomputed = 0
        var placed = 0
        var teamTown: [Int32: (Int, Int32)] = [:]
        for (application, placement) in placements.enumerated() where placement.isPlaced {
            placed += 1
            recomputed += problem.score(application: application, placement: placement)
            let info = problem.applications[application]
            let from = Int(placement.arrival), to = from + Int(info.nights)
            check.add(Int(placement.accommodation), from: from, to: to, delta: 1)
            check.add(problem.townResourceBase + town(of: placement), from: from, to: to, delta: 1)
            if info.freelancerResource >= 0 { check.add(Int(info.freelancerResource), from: from, to: to, delta: 1) }
            if placement.slot >= 0 {
                let slot = Int(placement.slot)
                check.add(problem.slotResourceBase + slot, from: max(from, Int(problem.slotFrom[slot])),
                          to: min(to, Int(problem.slotTo[slot])), delta: 1)
            }
            if info.team >= 0 {
                let key = (town(of: placement), placement.arrival)
                if let existing = teamTown[info.team] {
                    precondition(existing == key, "team split across towns or arrivals")
                } else {
                    teamTown[info.team] = key
                }
            }
        }
        for team in teamTown.keys {
            precondition(problem.teams[Int(team)].allSatisfy { placements[Int($0)].isPlaced }, "team placed in part")
        }
        precondition(recomputed == score, "score drifted: \(score) kept, \(recomputed) recomputed")
        precondition(placed == placedCount, "placed count drifted")
        for resource in 0..<problem.resourceCount {
            precondition(!check.isOverfull(resource), "resource \(resource) over capacity")
            for night in 0..<problem.nightCount {
                precondition(check.count(resource, night) == occupancy.count(resource, night), "occupancy drifted")
            }
        }
    }
}
