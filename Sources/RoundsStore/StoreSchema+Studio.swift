extension StoreSchema {
    /// The studio's own tables (`rounds studio`): accounts for serving off loopback, and a rater's pick
    /// between the two images of a stored pair.
    ///
    /// `studioUser.passwordHash` holds a bcrypt hash (its `$2b$` text, salt and cost included), never
    /// the password. `humanPairPreference.choice` is `a`, `b` or `tie` ("equal"), as a judge's
    /// `pairComparison.outcome` names the winner, so the broker can read both the same way.
    static let v6Studio = """
        CREATE TABLE studioUser (
            name TEXT PRIMARY KEY NOT NULL CHECK (length(trim(name)) > 0),
            passwordHash TEXT NOT NULL CHECK (passwordHash GLOB '$2[aby]$*'),
            createdAt DATETIME NOT NULL
        );

        CREATE TABLE humanPairPreference (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            pairID INTEGER NOT NULL REFERENCES pairCandidate(id) ON DELETE CASCADE,
            rater TEXT NOT NULL CHECK (length(trim(rater)) > 0),
            choice TEXT NOT NULL CHECK (choice IN ('a', 'b', 'tie')),
            createdAt DATETIME NOT NULL
        );
        CREATE INDEX humanPairPreference_on_pairID ON humanPairPreference(pairID);
        """
}
