import Foundation
@testable import SasuraiServer
import Testing

/// The flusher's promise: a reply goes out only after a sync that began once its commit had
/// ended, and a read waits for every commit it could have seen.
@Suite struct CommitFlusherTests {
    /// A flusher over a WAL file of its own in a fresh temporary folder.
    private final class Fixture: @unchecked Sendable {
        let directory: URL
        let flusher: CommitFlusher

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sasurai-flush-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let database = directory.appendingPathComponent("test.db").path
            try Data("frames".utf8).write(to: URL(fileURLWithPath: database + "-wal"))
            flusher = CommitFlusher(databasePath: database, logger: Logger(level: .error, sink: { _ in }))
            flusher.start()
        }

        func stop() {
            flusher.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Collects releases from the flusher's thread.
    private final class Releases: @unchecked Sendable {
        private let condition = NSCondition()
        private var values: [String: Bool] = [:]

        func record(_ name: String) -> CommitFlusher.Release {
            { durable in
                self.condition.lock()
                self.values[name] = durable
                self.condition.broadcast()
                self.condition.unlock()
            }
        }

        /// The releases so far, after waiting up to `seconds` for `name` (none: no wait).
        func snapshot(waitingFor name: String? = nil, seconds: Double = 5) -> [String: Bool] {
            condition.lock()
            defer { condition.unlock() }
            if let name {
                let deadline = Date().addingTimeInterval(seconds)
                while values[name] == nil, condition.wait(until: deadline) {}
            }
            return values
        }
    }

    @Test func aReplyWaitsForTheEndOfItsCommitAndASyncAfterIt() throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let flusher = fixture.flusher
        let releases = Releases()
        let commit = flusher.beginCommit()
        flusher.release(after: commit, releases.record("write"))
        Thread.sleep(forTimeInterval: 0.05)
        #expect(releases.snapshot().isEmpty, "released before its commit ended")
        #expect(flusher.syncs == 0)
        flusher.endCommit(commit)
        #expect(releases.snapshot(waitingFor: "write") == ["write": true])
        #expect(flusher.syncs == 1)
        // Already durable: released at once, with no further sync.
        flusher.release(after: commit, releases.record("again"))
        #expect(releases.snapshot()["again"] == true)
        #expect(flusher.syncs == 1)
    }

    @Test func aReadWaitsForEveryCommitBegunBeforeItEnded() throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let flusher = fixture.flusher
        let releases = Releases()
        // Nothing committed: a read goes out at once.
        flusher.releaseAfterVisibleCommits(releases.record("idle read"))
        #expect(releases.snapshot()["idle read"] == true)
        let first = flusher.beginCommit()
        flusher.endCommit(first)
        let second = flusher.beginCommit()
        flusher.releaseAfterVisibleCommits(releases.record("read"))
        Thread.sleep(forTimeInterval: 0.05)
        // The first commit alone may be synced by now, but the read could have seen the second.
        #expect(releases.snapshot()["read"] == nil)
        flusher.endCommit(second)
        #expect(releases.snapshot(waitingFor: "read")["read"] == true)
    }

    @Test func oneSyncCoversEveryCommitEndedBeforeIt() throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let flusher = fixture.flusher
        let releases = Releases()
        let commits = (0..<5).map { _ in flusher.beginCommit() }
        for (index, commit) in commits.enumerated() {
            flusher.release(after: commit, releases.record("w\(index)"))
        }
        commits.forEach { flusher.endCommit($0) }
        #expect(releases.snapshot(waitingFor: "w4").count == 5)
        #expect(releases.snapshot().values.allSatisfy { $0 })
        #expect(flusher.syncs >= 1 && flusher.syncs <= 5)
    }

    @Test func stoppingReleasesWhatIsHeld() throws {
        let fixture = try Fixture()
        let flusher = fixture.flusher
        let releases = Releases()
        let commit = flusher.beginCommit()
        flusher.release(after: commit, releases.record("write"))
        flusher.endCommit(commit)
        fixture.stop()
        #expect(releases.snapshot()["write"] == true)
    }

    /// A WAL that cannot be synced (here: its path is a folder, which cannot be opened for
    /// writing) fails every reply from then on instead of promising it.
    @Test func aFailedSyncFailsTheRepliesForGood() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sasurai-flush-\(UUID().uuidString)")
        let database = directory.appendingPathComponent("test.db").path
        try FileManager.default.createDirectory(atPath: database + "-wal", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let flusher = CommitFlusher(databasePath: database, logger: Logger(level: .error, sink: { _ in }))
        flusher.start()
        defer { flusher.stop() }
        let releases = Releases()
        let commit = flusher.beginCommit()
        flusher.release(after: commit, releases.record("write"))
        flusher.endCommit(commit)
        #expect(releases.snapshot(waitingFor: "write")["write"] == false)
        flusher.release(after: commit, releases.record("later"))
        #expect(releases.snapshot()["later"] == false)
    }
}
