/// A typed identifier: a town id can never be passed where an application id is meant.
///
/// `Entity` is a phantom type; only the raw string is stored. MODEL.md allows 1 to 64
/// characters of `a-z A-Z 0-9 . _ -`; `isValid` checks that, and readers refuse the rest.
public struct Identifier<Entity>: Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }

    public static func < (lhs: Identifier, rhs: Identifier) -> Bool {
        // Byte order, not locale order, so that sorting is the same on every machine.
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }
}

/// The rules MODEL.md sets for ids, names and titles.
public enum IdentifierRules {
    /// Longest id MODEL.md allows.
    public static let maximumIdentifierLength = 64
    /// Longest name or title MODEL.md allows, in characters.
    public static let maximumNameLength = 200

    /// True when `text` is 1 to 64 characters of `a-z A-Z 0-9 . _ -`.
    public static func isValidIdentifier(_ text: String) -> Bool {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= maximumIdentifierLength else { return false }
        return bytes.allSatisfy(isIdentifierByte)
    }

    @inline(__always)
    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// True when `text` is a skill: a lower-case word, hyphens allowed inside (`web-design`).
    public static func isValidSkill(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumIdentifierLength,
              bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
        }
    }
}

public typealias TownID = Identifier<Town>
public typealias AccommodationID = Identifier<Accommodation>
public typealias SlotID = Identifier<Slot>
public typealias FreelancerID = Identifier<Freelancer>
public typealias ApplicationID = Identifier<Application>

/// Marker for team ids: a team has no record of its own, only members that name it.
public enum Team {}
public typealias TeamID = Identifier<Team>
