import Foundation
import SasuraiCore
import Testing

@testable import SasuraiStore

@Suite("Remembered replies for request keys")
struct RequestKeyTests {
    @Test func aReplyIsRememberedPerTokenAndKey() throws {
        try withStore { store, _ in
            #expect(try store.rememberedReply(tokenID: 1, key: "k-1") == nil)
            let digest: [UInt8] = Array(repeating: 7, count: 32)
            let reply = Array(#"OK {"deleted": "nanto-gh"}"#.utf8)
            try store.rememberReply(tokenID: 1, key: "k-1", digest: digest, reply: reply)
            let remembered = try #require(try store.rememberedReply(tokenID: 1, key: "k-1"))
            #expect(remembered.digest == digest)
            #expect(remembered.reply == reply)
            // Keys are per token.
            #expect(try store.rememberedReply(tokenID: 2, key: "k-1") == nil)
            try store.rememberReply(tokenID: 2, key: "k-1", digest: [], reply: [])
            #expect(try store.rememberedReply(tokenID: 2, key: "k-1")?.reply == [])

            // The same request again keeps the first reply; another request under the key is refused.
            try store.rememberReply(tokenID: 1, key: "k-1", digest: digest, reply: Array("OK {}".utf8))
            #expect(try store.rememberedReply(tokenID: 1, key: "k-1")?.reply == reply)
            #expect(throws: StoreError.conflict("request key \"k-1\" was used for a different request")) {
                try store.rememberReply(tokenID: 1, key: "k-1", digest: [1], reply: reply)
            }
            #expect(throws: StoreError.self) {
                try store.rememberReply(tokenID: 1, key: "not a key", digest: digest, reply: reply)
            }
            // Nothing a plan relies on changed, and nobody acted.
            #expect(try store.stateVersion() == 0)
            #expect(try store.auditEntries().isEmpty)
        }
    }

    @Test func aReplyRememberedInsideAFailedWriteIsForgottenWithIt() throws {
        try withRuleStore { (store) throws in
            #expect(throws: StoreError.self) {
                try store.database.transaction {
                    try store.rememberReply(tokenID: 1, key: "k-1", digest: [1], reply: [2])
                    try store.hostBooks("a-5", at: "nanto-house", arriving: "2026-09-01")
                }
            }
            #expect(try store.rememberedReply(tokenID: 1, key: "k-1") == nil)
        }
    }

    @Test func oldRepliesAreForgotten() throws {
        try withStore { store, _ in
            try store.rememberReply(tokenID: 1, key: "old", digest: [1], reply: [1])
            store.clock = { fixedNow.addingTimeInterval(86_400) }
            try store.rememberReply(tokenID: 1, key: "new", digest: [2], reply: [2])
            #expect(try store.forgetRequestKeys(olderThan: fixedNow) == 0)
            #expect(try store.forgetRequestKeys(olderThan: fixedNow.addingTimeInterval(1)) == 1)
            #expect(try store.rememberedReply(tokenID: 1, key: "old") == nil)
            #expect(try store.rememberedReply(tokenID: 1, key: "new") != nil)
        }
    }

    @Test func aReplyStampedWhileTheClockRanAheadDoesNotHoldBackTheOthers() throws {
        try withStore { store, _ in
            store.clock = { fixedNow.addingTimeInterval(365 * 86_400) }
            try store.rememberReply(tokenID: 1, key: "ahead", digest: [1], reply: [1])
            store.clock = { fixedNow.addingTimeInterval(-3 * 86_400) }
            for index in 0..<100 { try store.rememberReply(tokenID: 1, key: "old-\(index)", digest: [2], reply: [2]) }
            store.clock = { fixedNow }
            try store.rememberReply(tokenID: 1, key: "young", digest: [3], reply: [3])
            #expect(try store.forgetRequestKeys(olderThan: fixedNow.addingTimeInterval(-86_400)) == 100)
            #expect(try store.rememberedReply(tokenID: 1, key: "old-0") == nil)
            #expect(try store.rememberedReply(tokenID: 1, key: "young") != nil)
            // Kept until its own time comes.
            #expect(try store.rememberedReply(tokenID: 1, key: "ahead") != nil)
            #expect(try store.forgetRequestKeys(olderThan: fixedNow.addingTimeInterval(366 * 86_400)) == 2)
        }
    }

    @Test func theMigrationAddsTheTableAndItsIndex() throws {
        try withStore { store, _ in
            #expect(Schema.migrations.contains { $0.name == "create_request_keys" })
            #expect(try store.database.userVersion() == Schema.migrations.count)
            let indexes = try String.fetchAll(store.database, sql: """
                SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'request_keys'
                """)
            #expect(indexes.contains("request_keys_by_token_and_key"))
        }
    }
}
