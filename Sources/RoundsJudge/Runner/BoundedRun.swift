/// Runs `work` over `items` with at most `inFlight` running at once, handing each result to
/// `handle` as it arrives; a new item starts only when one finishes and `handle` returned true, so a
/// run that must stop (cost cap, quota, Ctrl-C) lets the work in flight finish and be recorded.
package func runBounded<Item: Sendable, Output: Sendable>(
    _ items: [Item], inFlight: Int, work: @escaping @Sendable (Item) async -> Output,
    handle: (Item, Output) -> Bool
) async {
    var next = 0
    await withTaskGroup(of: (Item, Output).self) { group in
        func launch() {
            let item = items[next]
            next += 1
            group.addTask { (item, await work(item)) }
        }
        while next < items.count && next < max(1, inFlight) { launch() }
        while let (item, output) = await group.next() {
            if handle(item, output), next < items.count { launch() }
        }
    }
}
