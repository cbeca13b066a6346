import Foundation
import SasuraiCore

/// The replies remembered for idempotent retries (PROTOCOL.md section 4), per token and key.
///
/// The server looks a key up, and after doing the work stores its reply in the same transaction
/// as the work, so a crash between the two cannot leave work done with no reply to repeat.
/// Remembering changes nothing a plan relies on and is not an action of anyone's, so it neither
/// bumps the state version nor writes audit rows; neither does forgetting, a housekeeping job.
extension ScenarioStore {
    /// The digest of the request and the reply remembered under `key` for this token, if any.
    public func rememberedReply(tokenID: Int64, key: String) throws -> (digest: [UInt8], reply: [UInt8])? {
        var remembered: (digest: [UInt8], reply: [UInt8])?
        try forEachRow("SELECT digest, reply FROM request_keys WHERE token_id = ? AND key = ?",
                       arguments: [tokenID, key]) { row in
            remembered = ([UInt8](row.blob(at: 0) ?? Data()), [UInt8](row.blob(at: 1) ?? Data()))
        }
        return remembered
    }

    /// Remembers the reply to the request with `digest` sent under `key`, timestamped by `clock`.
    ///
    /// Remembering the same request again keeps the first reply, which is the one the client may
    /// already have; `conflict` when the key holds a different request; `invalidArgument` for a
    /// key that is not an id.
    public func rememberReply(tokenID: Int64, key: String, digest: [UInt8], reply: [UInt8]) throws {
        guard IdentifierRules.isValidIdentifier(key) else {
            throw StoreError.invalidArgument("a request key is 1 to 64 characters a-z A-Z 0-9 . _ -")
        }
        let now = Timestamp.iso(clock())
        // One statement, atomic by itself, in the common case of a new key: this runs once per
        // mutating request that carries a key, inside the writer's group commit.
        try database.execute("""
            INSERT INTO request_keys (token_id, key, digest, reply, created_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (token_id, key) DO NOTHING
            """, arguments: [tokenID, key, digest, reply, now])
        guard database.changes == 0 else { return }
        if let remembered = try rememberedReply(tokenID: tokenID, key: key), remembered.digest != digest {
            throw StoreError.conflict("request key \"\(key)\" was used for a different request")
        }
    }

    /// Forgets the replies remembered before `date` and returns how many there were.
    @discardableResult
    public func forgetRequestKeys(olderThan date: Date) throws -> Int {
        try write {
            // Rows are in creation order (rowid), so the old ones come first: the scan stops at
            // the first row that is new enough and not stamped in the future, reading little
            // more than what goes. A row stamped while the clock ran ahead is skipped, not
            // taken for the end of the old rows (it would keep every later row for as long as
            // the clock was ahead), and stays until its own time comes. After a clock step
            // back, old rows after a newer one wait for a later pass; none goes early.
            let now = Timestamp.iso(clock())
            try database.execute("""
                DELETE FROM request_keys WHERE created_at < ?1 AND id < coalesce(
                    (SELECT id FROM request_keys WHERE created_at >= ?1 AND created_at <= ?2 ORDER BY id LIMIT 1),
                    (SELECT max(id) + 1 FROM request_keys))
                """, arguments: [Timestamp.iso(date), now])
            return database.changes
        }
    }
}
