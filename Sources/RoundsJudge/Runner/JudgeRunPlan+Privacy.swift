import RoundsStore

extension JudgeRunPlan {
    /// A plan of these items (tests, and callers that choose the images themselves).
    public init(items: [Item], heldBack: [String] = [], unknownConditions: [String: Int] = [:], problems: [String] = []) {
        self.items = items
        self.heldBack = heldBack
        self.unknownConditions = unknownConditions
        self.problems = problems
    }

    /// The planned images the privacy guard keeps from `endpoint` (origin real; the endpoint neither
    /// loopback nor allowing real images), by image id, with the reason. They are never sent: a run
    /// reports them as refusals and `--dry-run` leaves them out of its request count.
    public func refusals(endpoint: EndpointConfig) -> [String: String] {
        var out: [String: String] = [:]
        for item in items {
            if case .refused(let reason) = PrivacyGuard.decide(origin: item.image.origin, endpoint: endpoint) {
                out[item.image.id] = reason
            }
        }
        return out
    }

    /// The plan without the images `endpoint` may not see.
    public func sendable(to endpoint: EndpointConfig) -> JudgeRunPlan {
        let refused = refusals(endpoint: endpoint)
        var plan = self
        plan.items.removeAll { refused[$0.image.id] != nil }
        return plan
    }
}
