import RoundsCore
import RoundsStore

/// `rounds pairs make`: pair candidates of one condition's synthetic images, stored for the pair
/// rule (`rounds broker dpo`) or side-by-side judging.
public struct PairsMakeJob: Sendable {
    public var condition: ConditionID
    /// Only image-to-image outputs of one source image (sharing a `parentImageID`).
    public var sameSource: Bool
    public var max: Int?
    public var seed: UInt64
    /// Only these images (a round pairs its own samples, not the store's older ones); nil for all.
    public var only: Set<String>?

    public init(condition: ConditionID, sameSource: Bool, max: Int?, seed: UInt64, only: Set<String>? = nil) {
        self.condition = condition
        self.sameSource = sameSource
        self.max = max
        self.seed = seed
        self.only = only
    }

    public struct Result: Sendable {
        /// Synthetic images of the condition.
        public var images: Int
        /// Pairs made (stored now or before).
        public var made: Int
        /// Pairs stored by this call.
        public var added: Int
        /// Pairs that were already stored (in either order).
        public var existing: Int
    }

    /// Makes and stores the pairs; a pair already stored in either order is kept as it is.
    ///
    /// - Throws: `BrokerError` `.emptyInput` for fewer than two images (of one source), `.invalidParameter`
    ///   for `max < 1`; `StoreError`.
    public func run(store: Store) throws -> Result {
        let images = try store.images(condition: condition, origin: .synthetic).filter { only?.contains($0.id) ?? true }
        let candidates = images.map {
            CandidateImage(imageID: $0.id, condition: condition, sourceImageID: $0.parentImageID)
        }
        let pairs: [CandidatePair]
        do {
            pairs = try PairCandidates.make(
                condition: condition, from: candidates, sameSource: sameSource, max: max,
                seed: seed)
        } catch let error as BrokerError where error.code == .emptyInput {
            throw BrokerError(.emptyInput, "\(store.path): \(error.message) (synthetic images only)")
        }
        var stored = Set(try store.pairs(condition: condition).map { Set([$0.pair.imageA, $0.pair.imageB]) })
        var added = 0
        var existing = 0
        for pair in pairs {
            guard stored.insert(Set([pair.imageID0, pair.imageID1])).inserted else {
                existing += 1
                continue
            }
            _ = try store.addPair(
                PairCandidateRecord(
                    imageA: pair.imageID0, imageB: pair.imageID1, condition: condition.description,
                    sameSource: sameSource))
            added += 1
        }
        return Result(images: images.count, made: pairs.count, added: added, existing: existing)
    }
}
