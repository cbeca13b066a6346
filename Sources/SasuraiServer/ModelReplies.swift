import SasuraiCore
import SasuraiProtocol
import SasuraiStore

/// The model's entities as reply objects, with the field names of MODEL.md's files.
enum ModelReplies {
    static func town(_ town: Town) -> ReplyValue {
        .object([("id", .string(town.id.rawValue)), ("name", .string(town.name)), ("prefecture", .string(town.prefecture)),
                 ("nightly_cap", .integer(town.nightlyCap)), ("min_nights", .integer(town.minNights)),
                 ("max_nights", .integer(town.maxNights)), ("subsidy_per_night", .integer(town.subsidyPerNight))])
    }

    static func range(_ range: DayRange) -> ReplyValue {
        [.string(range.from.iso), .string(range.to.iso)]
    }

    static func accommodation(_ accommodation: Accommodation) -> ReplyValue {
        .object([("id", .string(accommodation.id.rawValue)), ("town", .string(accommodation.town.rawValue)),
                 ("name", .string(accommodation.name)), ("kind", .string(accommodation.kind.rawValue)),
                 ("beds", .integer(accommodation.beds)), ("price_per_night", .integer(accommodation.pricePerNight)),
                 ("open", accommodation.open.map { .array($0.map(range)) } ?? .null)])
    }

    static func slot(_ slot: Slot) -> ReplyValue {
        .object([("id", .string(slot.id.rawValue)), ("town", .string(slot.town.rawValue)), ("title", .string(slot.title)),
                 ("skills", .array(slot.skills.map { .string($0) })), ("from", .string(slot.from.iso)),
                 ("to", .string(slot.to.iso)), ("seats", .integer(slot.seats)), ("min_days", .integer(slot.minDays))])
    }

    static func freelancer(_ freelancer: Freelancer) -> ReplyValue {
        .object([("id", .string(freelancer.id.rawValue)), ("name", .string(freelancer.name)),
                 ("skills", .array(freelancer.skills.map { .string($0) })),
                 ("relocation", .string(freelancer.relocation.rawValue))])
    }

    static func application(_ application: Application) -> ReplyValue {
        .object([("id", .string(application.id.rawValue)), ("freelancer", .string(application.freelancer.rawValue)),
                 ("earliest", .string(application.earliest.iso)), ("latest", .string(application.latest.iso)),
                 ("nights", .integer(application.nights)), ("towns", .array(application.towns.map { .string($0.rawValue) })),
                 ("kinds", .array(application.kinds.map { .string($0.rawValue) })),
                 ("budget_per_night", .integer(application.budgetPerNight)), ("labor", .string(application.labor.rawValue)),
                 ("team", .optional(application.team?.rawValue))])
    }

    static func assignmentMembers(_ assignment: Assignment) -> [(String, ReplyValue)] {
        [("application", .string(assignment.application.rawValue)), ("town", .string(assignment.town.rawValue)),
         ("accommodation", .string(assignment.accommodation.rawValue)), ("arrival", .string(assignment.arrival.iso)),
         ("nights", .integer(assignment.nights)), ("slot", .optional(assignment.slot?.rawValue)),
         ("labor_days", .integer(assignment.laborDays))]
    }

    /// A placement with its application's state and who made it; `extra` members follow.
    static func stay(_ placement: Placement, state: ApplicationState,
                     extra: [(String, ReplyValue)] = []) -> ReplyValue {
        .object(assignmentMembers(placement.assignment)
                + [("state", .string(state.rawValue)), ("source", .string(placement.source.rawValue))] + extra)
    }
}
