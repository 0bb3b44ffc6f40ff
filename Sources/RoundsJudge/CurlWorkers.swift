import Foundation

/// Threads for blocking transfers, kept parked between jobs.
///
/// A judge run keeps tens of transfers in flight for hundreds of milliseconds each; starting a thread
/// per transfer cost a `clone`, a stack `mmap`/`munmap` and Foundation's thread bookkeeping every time
/// (visible in profiles of `rounds bench judge`). Here a job goes to a parked thread when one is idle
/// and starts a new thread only when all are busy, so the pool grows to the number of transfers in
/// flight and stays there. Threads that have been idle for `idleTimeout` seconds exit.
final class CurlWorkers: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var idle = 0
    private let stackSize: Int
    private let idleTimeout: Double

    init(stackSize: Int, idleTimeout: Double = 30) {
        self.stackSize = stackSize
        self.idleTimeout = idleTimeout
    }

    /// Runs `job` on a pool thread, never on the caller's.
    func run(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        let startThread = idle < jobs.count
        if !startThread { condition.signal() }
        condition.unlock()
        if startThread {
            let thread = Thread { [self] in work() }
            thread.stackSize = stackSize
            thread.name = "rounds-curl"
            thread.start()
        }
    }

    private func work() {
        condition.lock()
        while true {
            if !jobs.isEmpty {
                let job = jobs.removeFirst()
                condition.unlock()
                job()
                condition.lock()
                continue
            }
            idle += 1
            let signalled = condition.wait(until: Date(timeIntervalSinceNow: idleTimeout))
            idle -= 1
            if !signalled && jobs.isEmpty { break }
        }
        condition.unlock()
    }
}
