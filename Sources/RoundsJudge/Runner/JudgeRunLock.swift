import Foundation
import RoundsStore

/// The exclusive lock of a judging run on its store, so two runs never overlap on one store: a
/// nightly job started twice, or through a symlinked or hard-linked path, must not send every request
/// twice. It locks the database file itself (`Store.lockForJudging()`), is released by the kernel when
/// the process ends (SIGKILL included), and does not block other writers such as `images purge`.
public final class JudgeRunLock: Sendable {
    public let path: String
    /// Runs a dead process left `running`, now marked `abandoned`.
    public let abandonedRuns: [Int64]
    private let lock: StoreJudgeLock

    /// Takes the lock or throws at once naming the store.
    public init(store: Store) throws {
        do {
            lock = try store.lockForJudging()
        } catch let error as StoreError where error.code == .busy {
            throw JudgeError(.runLocked, error.message)
        } catch {
            throw JudgeError(.runLocked, "cannot lock \(store.path) for judging", cause: error)
        }
        path = store.path
        abandonedRuns = lock.abandonedRuns
    }
}
