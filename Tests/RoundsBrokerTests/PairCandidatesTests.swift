import RoundsCore
import RoundsStore
import Testing
@testable import RoundsBroker

private func candidates(_ ids: [String], condition: ConditionID = vitiligo, source: String? = nil) -> [CandidateImage] {
    ids.map { CandidateImage(imageID: $0, condition: condition, sourceImageID: source) }
}

private func unordered(_ pairs: [CandidatePair]) -> Set<[String]> {
    Set(pairs.map { [$0.imageID0, $0.imageID1].sorted() })
}

@Suite struct PairCandidatesTests {
    @Test func everyPairOfOneCondition() throws {
        let images = candidates(["d", "a", "c", "b"]) + candidates(["x", "y"], condition: psoriasis)
        let pairs = try PairCandidates.make(condition: vitiligo, from: images)
        #expect(pairs.count == 6)
        #expect(unordered(pairs) == [["a", "b"], ["a", "c"], ["a", "d"], ["b", "c"], ["b", "d"], ["c", "d"]])
        #expect(pairs.allSatisfy { $0.condition == vitiligo })
        // Positions are drawn, not always the lower id first.
        #expect(pairs.contains { $0.imageID0 > $0.imageID1 } && pairs.contains { $0.imageID0 < $0.imageID1 })
    }

    @Test func sameSourcePairsOnlyTransfersOfOneSource() throws {
        let images = candidates(["a1", "a2", "a3"], source: "srcA") + candidates(["b1", "b2"], source: "srcB")
            + candidates(["c1"], source: "srcC") + candidates(["t2i"])
        let pairs = try PairCandidates.make(condition: vitiligo, from: images, sameSource: true)
        #expect(unordered(pairs) == [["a1", "a2"], ["a1", "a3"], ["a2", "a3"], ["b1", "b2"]])
    }

    @Test func maxKeepsASeededSample() throws {
        let images = candidates((0..<20).map { "img\($0)" })
        let a = try PairCandidates.make(condition: vitiligo, from: images, max: 15, seed: 4)
        let b = try PairCandidates.make(condition: vitiligo, from: images, max: 15, seed: 4)
        let c = try PairCandidates.make(condition: vitiligo, from: images, max: 15, seed: 5)
        #expect(a.count == 15 && a == b && a != c)
        #expect(unordered(a).count == 15)
        #expect(try PairCandidates.make(condition: vitiligo, from: images, max: 1000).count == 190)
    }

    @Test func tooFewImagesOrBadParametersAreErrors() {
        #expect(throwsBroker(.emptyInput, ["dermatology/vitiligo has 1 image(s)"]) {
            _ = try PairCandidates.make(condition: vitiligo, from: candidates(["a"]) + candidates(["x", "y"], condition: psoriasis))
        })
        #expect(throwsBroker(.emptyInput, ["no source image has two", "1 transfers among 3 images"]) {
            _ = try PairCandidates.make(condition: vitiligo, from: candidates(["a", "b"]) + candidates(["c"], source: "s"), sameSource: true)
        })
        #expect(throwsBroker(.invalidParameter, ["--max", "0"]) { _ = try PairCandidates.make(condition: vitiligo, from: candidates(["a", "b"]), max: 0) })
        #expect(throwsBroker(.invalidInput, ["image a is listed twice"]) { _ = try PairCandidates.make(condition: vitiligo, from: candidates(["a", "a"])) })
    }

    @Test func rewardsFromScoresSkipUnscoredImages() throws {
        let scores = try ScoreCalculator.score(
            [image("a", [("run:1", "mmmnn")]), image("b", [("run:1", "iiiii")])], policy: ScorePolicy(indeterminate: .exclude))
        let (images, unscored) = try RewardedImage.fromScores(scores, paths: ["a": "a.png", "b": "b.png"])
        #expect(images.map(\.imageID) == ["a"] && close(images[0].reward, 0.6) && images[0].path == "a.png")
        #expect(unscored == ["b"])
        #expect(throwsBroker(.invalidInput, ["image a has no file path"]) { _ = try RewardedImage.fromScores(scores, paths: [:]) })
        let none = try ScoreCalculator.score([image("b", [("run:1", "iiiii")])], policy: ScorePolicy(indeterminate: .exclude))
        #expect(throwsBroker(.emptyInput, ["none of the 1 images"]) { _ = try RewardedImage.fromScores(none, paths: ["b": "b.png"]) })
    }
}

/// `PairsMakeJob.only`: a round pairs its own samples, not the older synthetic images of the store.
@Suite struct PairsMakeJobOnlyTests {
    @Test func onlyTheGivenImagesArePaired() throws {
        let fixture = try GateStoreFixture()
        defer { fixture.remove() }
        let mine = Set(fixture.images[fixture.acne]!.prefix(3).map(\.id))
        let made = try PairsMakeJob(condition: fixture.acne, sameSource: false, max: nil, seed: 1, only: mine)
            .run(store: fixture.store)
        #expect(made.images == 3 && made.made == 3)
        let stored = try fixture.store.pairs(condition: fixture.acne)
        #expect(stored.count == 3)
        #expect(stored.allSatisfy { mine.contains($0.pair.imageA) && mine.contains($0.pair.imageB) })
        let all = try PairsMakeJob(condition: fixture.acne, sameSource: false, max: nil, seed: 1).run(store: fixture.store)
        #expect(all.made == 15 && all.existing == 3, "without `only`, every pair of the six images")
    }
}
