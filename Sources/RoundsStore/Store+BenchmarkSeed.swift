import Foundation
import GRDB
import RoundsCore

extension Store {
    /// Fills an empty store for `rounds bench store` (RoundsBench) as its Python peer expects: one
    /// checklist and prompt version, one judge run by `model`, `images` synthetic images of
    /// `bench/condition`, and a judgment (without verdicts) for each of the first `judgments` images.
    /// Prepared statements, one transaction: seeding is not what is measured.
    ///
    /// - Returns: the id of the first judgment (the rest follow consecutively).
    package func seedBenchmark(images: Int, judgments: Int, checklist: String, prompt: String, model: String) throws
        -> Int64
    {
        try write("seeding the benchmark") { db -> Int64 in
            try ChecklistVersionRecord(id: checklist, condition: "bench/condition", yaml: "{}").insert(db)
            try PromptVersionRecord(id: prompt, name: "bench", body: "{}").insert(db)
            var run = JudgeRunRecord(
                endpoint: "bench", baseURL: "http://127.0.0.1:1/v1", model: model, provider: .simulator)
            try run.insert(db)
            let now = Date()
            let image = try db.makeStatement(
                sql:
                    "INSERT INTO image (id, fileSHA256, path, format, width, height, byteCount, condition, origin, split, ownsFile, addedAt) VALUES (?, ?, ?, 'png', 64, 64, 1000, 'bench/condition', 'synthetic', 'none', 0, ?)"
            )
            let judgment = try db.makeStatement(
                sql:
                    "INSERT INTO judgment (runID, imageID, checklistVersionID, promptVersionID, requestKey, canonicalRequest, createdAt) VALUES (?, ?, ?, ?, ?, '{}', ?)"
            )
            var firstJudgment: Int64 = 0
            for i in 0..<images {
                let id = SHA256.hex("bench image \(i)")
                try image.execute(arguments: [id, id, "/bench/\(i).png", now])
                if i < judgments {
                    try judgment.execute(arguments: [run.id, id, checklist, prompt, id, now])
                    if i == 0 { firstJudgment = db.lastInsertedRowID }
                }
            }
            return firstJudgment
        }
    }
}
