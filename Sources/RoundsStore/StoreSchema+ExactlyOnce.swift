extension StoreSchema {
    /// Exactly-once judging, abandoned runs and the parser's problems.
    ///
    /// - `judgment.duplicateOf`: set on a successful judgment whose request key and sample index
    ///   already had a successful judgment (the earlier one's id). A unique index over
    ///   `(requestKey, sampleIndex)` of the successful judgments that are not duplicates makes the
    ///   schema refuse a second one. **How a store that already holds duplicates migrates without
    ///   losing a row**: before the index is built, every successful judgment except the first (lowest
    ///   id) of its request key and sample index gets `duplicateOf` = that first id. No row is deleted
    ///   or otherwise changed: the duplicates keep their answers and verdicts, readable as before, and
    ///   only the first counts for the key. The store marks a later paid answer the same way instead of
    ///   dropping it (a batch collected after a live run answered the same request, say).
    /// - `judgment.problems`: what the verdict parser found wrong with the answer (JSON array of
    ///   strings), so a bad answer can be read back with its reasons.
    /// - `humanLabel_on_content`: a label is identified by rater, image and content, so `labels import`
    ///   looks each row up before storing it (importing a file twice is a no-op).
    /// - `judgeRun.status` may be `abandoned`: a run whose process died (SIGKILL, power) while it was
    ///   `running`; the next judge run marks it when it takes the store's lock. SQLite cannot widen a
    ///   CHECK in place, so `judgeRun` is rebuilt by the 12-step procedure as in v2 (every row and id
    ///   copied; references to `judgeRun` name the table, so they hold).
    static let v5ExactlyOnceJudging = """
        CREATE TABLE judgeRun_v5 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            endpoint TEXT NOT NULL,
            baseURL TEXT NOT NULL,
            model TEXT NOT NULL CHECK (length(model) > 0),
            provider TEXT NOT NULL CHECK (provider IN ('openai', 'anthropic', 'simulator')),
            parameters TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(parameters)),
            startedAt DATETIME NOT NULL,
            endedAt DATETIME,
            status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'abandoned')),
            requestCount INTEGER NOT NULL DEFAULT 0 CHECK (requestCount >= 0),
            succeededCount INTEGER NOT NULL DEFAULT 0 CHECK (succeededCount >= 0),
            failedCount INTEGER NOT NULL DEFAULT 0 CHECK (failedCount >= 0),
            costUSD REAL NOT NULL DEFAULT 0 CHECK (costUSD >= 0)
        );
        INSERT INTO judgeRun_v5 (id, endpoint, baseURL, model, provider, parameters, startedAt, endedAt, status,
                                 requestCount, succeededCount, failedCount, costUSD)
            SELECT id, endpoint, baseURL, model, provider, parameters, startedAt, endedAt, status,
                   requestCount, succeededCount, failedCount, costUSD FROM judgeRun;
        DROP TABLE judgeRun;
        ALTER TABLE judgeRun_v5 RENAME TO judgeRun;

        ALTER TABLE judgment ADD COLUMN problems TEXT CHECK (problems IS NULL OR json_valid(problems));
        ALTER TABLE judgment ADD COLUMN duplicateOf INTEGER REFERENCES judgment(id);
        UPDATE judgment SET duplicateOf = (
                SELECT MIN(first.id) FROM judgment AS first
                WHERE first.requestKey = judgment.requestKey AND first.sampleIndex = judgment.sampleIndex
                  AND first.error IS NULL)
            WHERE error IS NULL AND id > (
                SELECT MIN(first.id) FROM judgment AS first
                WHERE first.requestKey = judgment.requestKey AND first.sampleIndex = judgment.sampleIndex
                  AND first.error IS NULL);
        CREATE UNIQUE INDEX judgment_once ON judgment(requestKey, sampleIndex) WHERE error IS NULL AND duplicateOf IS NULL;
        CREATE INDEX judgment_on_duplicateOf ON judgment(duplicateOf);
        CREATE INDEX humanLabel_on_content ON humanLabel(rater, imageID, note, plausible);
        """
}
