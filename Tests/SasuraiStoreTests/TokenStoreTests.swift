import Foundation
import SasuraiCore
import Testing

@testable import SasuraiStore

@Suite("Access tokens") struct TokenStoreTests {
    static let hashA = [UInt8](repeating: 0xA1, count: 32)
    static let hashB = [UInt8](repeating: 0xB2, count: 32)

    @Test func issueLookUpListAndRevoke() throws {
        try withStore { store, _ in
            try store.importScenario(try demoScenario(), actor: "planner:setup")
            #expect(try store.livePlannerTokenCount() == 0)
            let planner = try store.issueToken(role: .planner, subject: nil, hash: Self.hashA, label: "bootstrap",
                                               actor: "system:bootstrap")
            let host = try store.issueToken(role: .host, subject: "nanto", hash: Self.hashB, label: "南砺市役所",
                                            actor: "planner:alice")
            #expect(try store.livePlannerTokenCount() == 1)
            #expect(try store.token(hash: Self.hashA)?.role == .planner)
            #expect(try store.token(hash: Self.hashB)?.subject == "nanto")
            #expect(try store.token(hash: [UInt8](repeating: 0, count: 32)) == nil)
            #expect(try store.tokens().map(\.id) == [host, planner])
            try store.revokeToken(id: host, actor: "planner:alice")
            #expect(try store.token(hash: Self.hashB) == nil)
            #expect(try store.tokens().first?.isRevoked == true)
            #expect(throws: StoreError.conflict("token \(host) is already revoked")) {
                try store.revokeToken(id: host, actor: "planner:alice")
            }
            #expect(throws: StoreError.notFound(entity: "token", id: "99")) {
                try store.revokeToken(id: 99, actor: "planner:alice")
            }
            let actions = try store.auditEntries().map(\.action).filter { $0.hasPrefix("token.") }
            #expect(actions == ["token.issued", "token.issued", "token.revoked"])
            // The audit log names the token by id and role, never by its hash.
            let details = try store.auditEntries().filter { $0.action.hasPrefix("token.") }.map(\.detail)
            #expect(details.allSatisfy { !$0.contains("a1a1") && !$0.contains("b2b2") })
        }
    }

    @Test func refusesMalformedTokens() throws {
        try withStore { store, _ in
            try store.importScenario(try demoScenario(), actor: "planner:setup")
            #expect(throws: StoreError.invalidArgument("a token hash is 32 bytes, got 3")) {
                try store.issueToken(role: .planner, subject: nil, hash: [1, 2, 3], actor: "planner:alice")
            }
            #expect(throws: StoreError.invalidArgument("a planner token has no subject; host and freelancer tokens need one")) {
                try store.issueToken(role: .host, subject: nil, hash: Self.hashA, actor: "planner:alice")
            }
            #expect(throws: StoreError.notFound(entity: "town", id: "atlantis")) {
                try store.issueToken(role: .host, subject: "atlantis", hash: Self.hashA, actor: "planner:alice")
            }
            // A freelancer's token may come before the profile its holder is about to create.
            try store.issueToken(role: .freelancer, subject: "newcomer", hash: Self.hashB, actor: "planner:alice")
            try store.issueToken(role: .planner, subject: nil, hash: Self.hashA, actor: "planner:alice")
            #expect(throws: SQLiteError.self) {
                try store.issueToken(role: .planner, subject: nil, hash: Self.hashA, actor: "planner:bob")
            }
            #expect(try store.tokens().count == 2)
        }
    }
}
