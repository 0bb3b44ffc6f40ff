extension StoreSchema {
    /// OpenAI Batch API submissions and pair-comparison provenance. Self-contained (it only creates
    /// tables and adds nullable columns), so it can run after any other migration.
    ///
    /// - `judgeBatch`: one submitted batch per judge run (`runID`), with the provider's batch and file ids,
    ///   the SHA-256 of the JSONL uploaded, the status last seen, and when its results were collected.
    /// - `judgeBatchItem`: one line of that JSONL: its `custom_id` (the request key), the image, checklist
    ///   and prompt versions, the canonical request and the criteria asked (JSON `[{"id","text"}]`), and the
    ///   judgment stored from its result (NULL until collected).
    /// - `pairComparison` gains what traces an order's comparison to its request: the request key, the
    ///   canonical request, the answer text, the model that answered, attempts and the error.
    static let v3JudgeBatches = """
        CREATE TABLE judgeBatch (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            runID INTEGER NOT NULL UNIQUE REFERENCES judgeRun(id),
            providerBatchID TEXT NOT NULL UNIQUE CHECK (length(providerBatchID) > 0),
            inputFileID TEXT NOT NULL CHECK (length(inputFileID) > 0),
            jsonlPath TEXT,
            jsonlSHA256 TEXT NOT NULL CHECK (length(jsonlSHA256) = 64),
            status TEXT NOT NULL CHECK (length(status) > 0),
            outputFileID TEXT,
            errorFileID TEXT,
            requestCount INTEGER NOT NULL CHECK (requestCount > 0),
            submittedAt DATETIME NOT NULL,
            checkedAt DATETIME,
            collectedAt DATETIME
        );

        CREATE TABLE judgeBatchItem (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            batchID INTEGER NOT NULL REFERENCES judgeBatch(id) ON DELETE CASCADE,
            customID TEXT NOT NULL CHECK (length(customID) = 64),
            imageID TEXT NOT NULL REFERENCES image(id) ON DELETE CASCADE,
            checklistVersionID TEXT NOT NULL REFERENCES checklistVersion(id),
            promptVersionID TEXT NOT NULL REFERENCES promptVersion(id),
            canonicalRequest TEXT NOT NULL,
            criteria TEXT NOT NULL CHECK (json_valid(criteria)),
            judgmentID INTEGER REFERENCES judgment(id) ON DELETE SET NULL,
            UNIQUE (batchID, customID)
        );
        CREATE INDEX judgeBatchItem_on_image_versions ON judgeBatchItem(imageID, checklistVersionID, promptVersionID);

        ALTER TABLE pairComparison ADD COLUMN requestKey TEXT CHECK (requestKey IS NULL OR length(requestKey) = 64);
        ALTER TABLE pairComparison ADD COLUMN canonicalRequest TEXT;
        ALTER TABLE pairComparison ADD COLUMN responseText TEXT;
        ALTER TABLE pairComparison ADD COLUMN answeredModel TEXT;
        ALTER TABLE pairComparison ADD COLUMN attempts INTEGER CHECK (attempts IS NULL OR attempts >= 0);
        ALTER TABLE pairComparison ADD COLUMN error TEXT;
        CREATE INDEX pairComparison_on_requestKey ON pairComparison(requestKey);
        """
}
