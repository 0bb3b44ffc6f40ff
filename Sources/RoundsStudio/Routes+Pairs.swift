import Foundation
import Hummingbird
import RoundsChecklists
import RoundsCore
import RoundsStore

/// MAGIC's A/B view: the rater picks the image of a stored pair that meets the checklist better.
struct PairRoutes {
    let app: StudioApp

    func add(to router: Router<StudioContext>) {
        router.get("/pairs") { request, context in
            let rater = try app.rater(context, returnTo: request.uri.description)
            let catalog = try app.catalog()
            let pairs = try app.store.pairs()
            let picked = Set(try app.store.humanPairPreferences().filter { $0.rater == rater }.map(\.pairID))
            let byCondition = Dictionary(grouping: pairs, by: \.pair.condition)
            let rows = byCondition.keys.sorted().map { condition -> [String: Any] in
                let list = byCondition[condition]!
                let id = try? ConditionID(parsing: condition)
                return [
                    "id": condition, "name": id.flatMap { catalog.checklists[$0]?.name } ?? condition, "pairs": list.count,
                    "picked": list.filter { picked.contains($0.pair.id!) }.count,
                    "next": list.first { !picked.contains($0.pair.id!) }?.pair.id.map { String($0) } ?? "",
                ]
            }
            return app.pages.render("pairs-index", title: "Pairs", session: context.session, ["conditions": rows])
        }
        router.get("/pairs/:id") { request, context in
            let rater = try app.rater(context, returnTo: request.uri.description)
            let pair = try storedPair(context.parameters.get("id"))
            let catalog = try app.catalog()
            let checklist = (try? ConditionID(parsing: pair.condition)).flatMap { catalog.checklists[$0] }
            let mine = try app.store.humanPairPreferences().first { $0.pairID == pair.id && $0.rater == rater }
            return app.pages.render(
                "pair", title: "Pair \(pair.id!)", session: context.session,
                [
                    "pairID": pair.id!, "imageA": pair.imageA, "imageB": pair.imageB,
                    "conditionName": checklist?.name ?? pair.condition,
                    "criteria": checklist?.criteria.map { ["text": $0.text] } ?? [],
                    "picked": mine.map { $0.choice == .tie ? "equal" : $0.choice.rawValue.uppercased() } ?? "",
                ])
        }
        router.post("/pairs/:id") { _, context in
            let rater = try app.rater(context, returnTo: "/pairs")
            let pair = try storedPair(context.parameters.get("id"))
            guard let text = context.form["choice"], let choice = HumanPairPreferenceRecord.Choice(rawValue: text) else {
                throw StudioError.badRequest("choice: '\(context.form["choice"] ?? "")' is not a, b or tie.")
            }
            try app.store.addHumanPairPreference(pairID: pair.id!, rater: rater, choice: choice)
            let picked = Set(try app.store.humanPairPreferences().filter { $0.rater == rater }.map(\.pairID))
            let next = try app.store.pairs().first { $0.pair.condition == pair.condition && !picked.contains($0.pair.id!) }
            return Response.redirect(to: next.map { "/pairs/\($0.pair.id!)" } ?? "/pairs", type: .normal)
        }
    }

    private func storedPair(_ text: String?) throws -> PairCandidateRecord {
        guard let text, let id = Int64(text), id > 0 else {
            throw StudioError.badRequest("'\(text ?? "")' is not a pair id.")
        }
        guard let pair = try app.store.pairs().first(where: { $0.pair.id == id })?.pair else {
            throw StudioError.notFound("No pair with id \(id) is stored.")
        }
        return pair
    }
}
