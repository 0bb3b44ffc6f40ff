import Foundation
import GRDB
import Synchronization

/// The exclusive lock a judging run holds on a store, so two runs never overlap on one store and
/// never pay for one request twice. Released when the value goes away (or the process dies).
///
/// The lock is an advisory `flock` on the database file itself, found through `stat`, so the same
/// store reached through a symlink, a hard link or another relative path is one lock (the earlier lock
/// file named after `--db` as typed was not). The kernel drops it when the process ends, SIGKILL
/// included. SQLite locks the file with POSIX `fcntl` locks, which Linux keeps apart from `flock`, so
/// other writers (`images purge`, `labels import`, another process adding images) are never blocked.
public final class StoreJudgeLock: Sendable {
    /// The database file as the user named it.
    public let path: String
    /// Runs left `running` by a process that died, marked `abandoned` when the lock was taken.
    public let abandonedRuns: [Int64]
    private let key: FileKey

    fileprivate init(path: String, key: FileKey, abandonedRuns: [Int64]) {
        self.path = path
        self.key = key
        self.abandonedRuns = abandonedRuns
    }

    deinit { FileKey.release(key) }
}

/// A file's identity: the device and inode every link to it shares.
private struct FileKey: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64

    /// Descriptors kept open per file, and whether this process holds the lock. A descriptor is never
    /// closed: closing any descriptor of a file drops every POSIX lock the process holds on it, which
    /// would silently release SQLite's own locks (sqlite.org/howtocorrupt.html §2.2).
    static let table = Mutex<[FileKey: (fd: Int32, held: Bool)]>([:])

    static func release(_ key: FileKey) {
        table.withLock { table in
            guard let entry = table[key], entry.held else { return }
            flock(entry.fd, LOCK_UN)
            table[key] = (entry.fd, false)
        }
    }
}

extension Store {
    /// Takes this store's judging lock, or throws at once.
    ///
    /// Taking it also marks every run still `running` that is not waiting on a submitted batch as
    /// `abandoned`: only the lock holder judges, so such a run's process is gone.
    ///
    /// - Throws: `StoreError.busy` when another run (in this or another process) holds it.
    public func lockForJudging() throws -> StoreJudgeLock {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw StoreError(.cannotOpen, "\(path): cannot lock the store for judging: \(String(cString: strerror(errno)))")
        }
        let key = FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        let busy = "another rounds judge run is using \(path); wait for it to finish (one run per store, "
            + "however the path is spelled)"
        try FileKey.table.withLock { table in
            var fd = table[key]?.fd ?? -1
            if table[key]?.held == true { throw StoreError(.busy, busy) }
            if fd < 0 {
                fd = open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else {
                    throw StoreError(.cannotOpen, "\(path): cannot lock the store for judging: \(String(cString: strerror(errno)))")
                }
                table[key] = (fd, false)
            }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { throw StoreError(.busy, busy) }
            table[key] = (fd, true)
        }
        do {
            let abandoned = try abandonRunningRuns()
            return StoreJudgeLock(path: path, key: key, abandonedRuns: abandoned)
        } catch {
            FileKey.release(key)
            throw error
        }
    }

    /// Marks runs left `running` by a dead process `abandoned` (runs waiting on a submitted batch stay
    /// `running` until `judge --batch collect`); returns their ids.
    private func abandonRunningRuns() throws -> [Int64] {
        try write("marking abandoned judge runs") { db in
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM judgeRun WHERE status = 'running' AND id NOT IN (SELECT runID FROM judgeBatch)
                """)
            guard !ids.isEmpty else { return [] }
            try db.execute(
                sql: """
                    UPDATE judgeRun SET status = 'abandoned', endedAt = ?
                    WHERE status = 'running' AND id NOT IN (SELECT runID FROM judgeBatch)
                    """, arguments: [Date()])
            return ids
        }
    }
}
