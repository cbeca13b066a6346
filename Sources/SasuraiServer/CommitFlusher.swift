import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Makes the writer's commits durable on a thread of its own, and holds back every reply that
/// depends on a commit until that commit is on disk.
///
/// With SQLite's `synchronous=FULL` every COMMIT waits for its WAL fsync on the writer's thread,
/// and nothing else is written meanwhile: the writer alternates between running a batch and
/// waiting for the disk. Here the writer's connection runs with `synchronous=NORMAL` (commits
/// only append to the WAL; SQLite still syncs the WAL header when it starts the file over and
/// syncs both files around checkpoints) and this thread calls `fdatasync` on the WAL file once
/// for every commit finished before the call, while the writer already runs the next batch.
/// A reply goes out only after a sync that began after its commit had ended, which is the
/// guarantee `synchronous=FULL` gives, with the disk wait taken off the writer.
///
/// Readers see a commit as soon as SQLite has appended it, before it is durable. So that no
/// client is told about state a power loss could take back, a reader's reply waits for every
/// commit that had begun when its read ended (`releaseAfterVisibleCommits`): usually nothing,
/// under write load at most one sync.
///
/// The WAL keeps commits in order and SQLite's recovery stops at the first frame that does not
/// check out, so a commit is never recovered without the commits before it: the prefix the
/// replies promised is the prefix that survives.
final class CommitFlusher: @unchecked Sendable {
    /// A reply held back; called with false when the sync failed and the commit may be lost.
    typealias Release = @Sendable (_ durable: Bool) -> Void

    private let condition = NSCondition()
    /// Commits the writer has begun (asked SQLite to commit), numbered from 1.
    private var begunCommits: UInt64 = 0
    /// The last commit that has ended: every commit up to it is in the WAL file.
    private var endedCommits: UInt64 = 0
    /// The last commit known to be on disk.
    private var durableCommits: UInt64 = 0
    private var waiting: [(commit: UInt64, release: Release)] = []
    /// Set for good by a failed sync: the page cache may have dropped the data, so nothing
    /// written since can be promised (as PostgreSQL does after an fsync failure).
    private var failed = false
    private var closed = false

    private let walPath: String
    private var descriptor: Int32 = -1
    private var descriptorInode: UInt64 = 0
    private let logger: Logger
    private var thread: JoinableThread?
    private var syncCount: UInt64 = 0

    /// Syncs at least this long are logged (debug): a healthy SSD or virtual disk syncs in a
    /// few milliseconds, so a longer one is the disk stalling, and every reply waiting on it
    /// (writes, and reads under write load) is that much later. The soak reads these lines to
    /// tell the disk's stalls from the server's.
    static let slowSyncLogThreshold = Duration.milliseconds(10)

    /// How many syncs have been done: fewer than commits when one sync covered several.
    var syncs: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return syncCount
    }

    /// - Parameter databasePath: the database file; its WAL is the file beside it with `-wal`.
    init(databasePath: String, logger: Logger) {
        walPath = databasePath + "-wal"
        self.logger = logger
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func start() {
        thread = JoinableThread.start(name: "sasurai-flush") { [self] in run() }
    }

    /// The writer, just before COMMIT: numbers the commit. Every read that could see it starts
    /// after this, so readers wait for it (`releaseAfterVisibleCommits`).
    func beginCommit() -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        begunCommits += 1
        return begunCommits
    }

    /// The writer, once COMMIT returned or failed: the commit is in the WAL file (or was
    /// rolled back, which leaves nothing to sync).
    func endCommit(_ commit: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        endedCommits = max(endedCommits, commit)
        if !waiting.isEmpty { condition.signal() }
    }

    /// Calls `release` once `commit` is durable: at once when it is already.
    func release(after commit: UInt64, _ release: @escaping Release) {
        condition.lock()
        releaseLocked(after: commit, release)
    }

    /// A reader, after its read transaction: calls `release` once every commit it could have
    /// seen is durable.
    func releaseAfterVisibleCommits(_ release: @escaping Release) {
        condition.lock()
        releaseLocked(after: begunCommits, release)
    }

    /// `release(after:)` with the lock held; unlocks before calling `release`.
    private func releaseLocked(after commit: UInt64, _ release: @escaping Release) {
        if durableCommits >= commit || failed || closed {
            let durable = !failed && durableCommits >= commit
            condition.unlock()
            release(durable)
            return
        }
        waiting.append((commit, release))
        condition.signal()
        condition.unlock()
    }

    /// Syncs what is left, releases every reply still held and stops the thread. Called after
    /// the writer has stopped, so no commit begins any more.
    func stop() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        thread?.join()
    }

    private func run() {
        while true {
            condition.lock()
            // A sync is worth doing only when a reply waits for a commit that has ended and is
            // not yet durable; a reply waiting for a commit still running waits for its end.
            while !closed && (failed || !(endedCommits > durableCommits && waiting.contains { $0.commit <= endedCommits })) {
                condition.wait()
            }
            // After a failed sync there is nothing more to try: every reply is refused.
            if closed && (endedCommits <= durableCommits || failed) {
                let rest = waiting
                waiting.removeAll()
                let durable = !failed
                condition.unlock()
                // The writer has stopped, so every commit has ended and the sync above covered it.
                rest.forEach { $0.release(durable) }
                return
            }
            let target = endedCommits
            let alreadyDurable = durableCommits
            condition.unlock()

            let syncStarted = ContinuousClock.now
            let synced = syncWAL()
            let syncTook = ContinuousClock.now - syncStarted
            if syncTook >= Self.slowSyncLogThreshold {
                logger.debug("wal_sync_slow", ["ms": String(syncTook.wholeMilliseconds), "commits": String(target - alreadyDurable)])
            }

            condition.lock()
            if synced {
                durableCommits = max(durableCommits, target)
                syncCount += 1
            } else {
                failed = true
            }
            var ready: [Release] = []
            var kept: [(commit: UInt64, release: Release)] = []
            for entry in waiting {
                if failed || entry.commit <= durableCommits { ready.append(entry.release) } else { kept.append(entry) }
            }
            waiting = kept
            let durable = !failed
            condition.unlock()
            ready.forEach { $0(durable) }
        }
    }

    /// One `fdatasync` of the WAL file; false when it failed.
    ///
    /// The file is opened on first use and again when the path names another file than the
    /// one open (SQLite deletes the WAL when its last connection closes, which another process
    /// on the same database could cause); a WAL that does not exist holds no commit to sync.
    private func syncWAL() -> Bool {
        var pathStatus = stat()
        guard stat(walPath, &pathStatus) == 0 else {
            if errno == ENOENT { return true }
            logger.error("fsync_failed", ["file": walPath, "error": String(cString: strerror(errno))])
            return false
        }
        if descriptor < 0 || UInt64(pathStatus.st_ino) != descriptorInode {
            if descriptor >= 0 { close(descriptor) }
            descriptor = open(walPath, O_RDWR | O_CLOEXEC)
            guard descriptor >= 0 else {
                logger.error("fsync_failed", ["file": walPath, "error": String(cString: strerror(errno))])
                return false
            }
            descriptorInode = UInt64(pathStatus.st_ino)
        }
        while fdatasync(descriptor) != 0 {
            if errno == EINTR { continue }
            logger.error("fsync_failed", ["file": walPath, "error": String(cString: strerror(errno))])
            return false
        }
        return true
    }
}
