import Foundation
import SasuraiCore

/// One access token as stored: never the token itself, only its SHA-256.
public struct TokenRecord: Hashable, Sendable {
    public enum Role: String, Hashable, Sendable, CaseIterable {
        case planner, host, freelancer
    }

    public var id: Int64
    public var role: Role
    /// The town of a host or the freelancer's id; nil for a planner.
    public var subject: String?
    public var createdAt: String
    public var revokedAt: String?
    public var label: String

    public var isRevoked: Bool { revokedAt != nil }
}

/// Access tokens: issued, looked up by their hash, listed and revoked, each change audited.
///
/// The store only ever sees the 32-byte SHA-256 of a token; making tokens and hashing them is
/// the caller's (the protocol layer's), so a copy of the database grants no access.
extension ScenarioStore {
    /// Length of a SHA-256 digest in bytes.
    static let tokenHashLength = 32
    /// Longest label a token may carry (a note for people: "Nanto town office").
    static let maximumTokenLabelLength = 200

    /// Records a new token by its hash and returns its id.
    @discardableResult
    public func issueToken(role: TokenRecord.Role, subject: String?, hash: [UInt8], label: String = "",
                           actor: String) throws -> Int64 {
        try Self.validateActor(actor)
        guard hash.count == Self.tokenHashLength else {
            throw StoreError.invalidArgument("a token hash is \(Self.tokenHashLength) bytes, got \(hash.count)")
        }
        guard (role == .planner) == (subject == nil) else {
            throw StoreError.invalidArgument("a planner token has no subject; host and freelancer tokens need one")
        }
        if let subject, !IdentifierRules.isValidIdentifier(subject) {
            throw StoreError.invalidArgument("invalid token subject: use 1 to 64 characters of a-z A-Z 0-9 . _ -")
        }
        guard label.count <= Self.maximumTokenLabelLength else {
            throw StoreError.invalidArgument("a token label has at most \(Self.maximumTokenLabelLength) characters")
        }
        let now = Timestamp.iso(clock())
        return try write {
            // A host token needs its town; a freelancer token may come before the profile, which
            // its holder then creates with PROFILE PUT.
            if let subject, role == .host {
                guard try database.fetchOne("SELECT 1 FROM towns WHERE id = ?", arguments: [subject]) != nil else {
                    throw StoreError.notFound(entity: "town", id: subject)
                }
            }
            try database.execute("INSERT INTO tokens (role, subject, hash, created_at, label) VALUES (?, ?, ?, ?, ?)",
                                 arguments: [role.rawValue, subject, Data(hash), now, label])
            let id = database.lastInsertRowID
            try insertAuditRow(at: now, actor: actor, action: "token.issued", subject: String(id),
                               detail: Self.tokenDetail(role: role, subject: subject))
            return id
        }
    }

    /// The live (not revoked) token with this hash, if any.
    public func token(hash: [UInt8]) throws -> TokenRecord? {
        guard hash.count == Self.tokenHashLength else { return nil }
        var found: TokenRecord?
        try forEachRow("SELECT id, role, subject, created_at, revoked_at, label FROM tokens WHERE hash = ? AND revoked_at IS NULL",
                       arguments: [Data(hash)]) { row in
            found = try Self.tokenRecord(row)
        }
        return found
    }

    /// Every token, newest first, revoked ones included.
    public func tokens() throws -> [TokenRecord] {
        var records: [TokenRecord] = []
        try forEachRow("SELECT id, role, subject, created_at, revoked_at, label FROM tokens ORDER BY id DESC") { row in
            records.append(try Self.tokenRecord(row))
        }
        return records
    }

    /// Revokes a token; revoking one twice is a conflict, an unknown id not found.
    public func revokeToken(id: Int64, actor: String) throws {
        try Self.validateActor(actor)
        let now = Timestamp.iso(clock())
        try write {
            guard let row = try database.fetchOne("SELECT role, subject, revoked_at FROM tokens WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound(entity: "token", id: String(id))
            }
            guard row[2].isNull else { throw StoreError.conflict("token \(id) is already revoked") }
            try database.execute("UPDATE tokens SET revoked_at = ? WHERE id = ?", arguments: [now, id])
            let role = TokenRecord.Role(rawValue: try row.decode(String.self, at: 0)) ?? .planner
            try insertAuditRow(at: now, actor: actor, action: "token.revoked", subject: String(id),
                               detail: Self.tokenDetail(role: role, subject: try row.decode(String?.self, at: 1)))
        }
    }

    /// The number of live planner tokens: a new server makes one when there is none.
    public func livePlannerTokenCount() throws -> Int {
        try Int.fetchOne(database, sql: "SELECT count(*) FROM tokens WHERE role = 'planner' AND revoked_at IS NULL") ?? 0
    }

    private static func tokenRecord(_ row: Statement) throws -> TokenRecord {
        let roleText = try row.requiredText(at: 1)
        guard let role = TokenRecord.Role(rawValue: roleText) else {
            throw StoreError.corruptData("token role \(roleText)")
        }
        return TokenRecord(id: row.int64(at: 0), role: role, subject: row.text(at: 2), createdAt: try row.requiredText(at: 3),
                           revokedAt: row.text(at: 4), label: row.text(at: 5) ?? "")
    }

    private static func tokenDetail(role: TokenRecord.Role, subject: String?) -> String {
        var writer = JSONWriter()
        writer.raw("{")
        writer.key("role")
        writer.string(role.rawValue)
        writer.raw(", ")
        writer.key("subject")
        if let subject { writer.string(subject) } else { writer.null() }
        writer.raw("}")
        return writer.text
    }
}
