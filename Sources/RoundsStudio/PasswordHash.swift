import HummingbirdBcrypt

/// Passwords of studio accounts: bcrypt (hummingbird-auth's `HummingbirdBcrypt`, OpenBSD's C code),
/// cost 12, a random salt per hash. Only the hash is stored.
public enum PasswordHash {
    /// bcrypt reads at most 72 bytes; a longer password would be silently cut, so it is refused.
    public static let maximumBytes = 72
    public static let minimumCharacters = 8

    /// Why a password cannot be used, or nil when it can.
    public static func problem(with password: String) -> String? {
        if password.count < minimumCharacters { return "the password needs at least \(minimumCharacters) characters" }
        if password.utf8.count > maximumBytes { return "the password may have at most \(maximumBytes) bytes (bcrypt's limit)" }
        if password.utf8.contains(0) { return "the password may not contain a NUL character" }
        return nil
    }

    public static func hash(_ password: String, cost: UInt8 = 12) -> String { Bcrypt.hash(password, cost: cost) }

    public static func verify(_ password: String, hash: String) -> Bool {
        guard password.utf8.count <= maximumBytes, !password.utf8.contains(0) else { return false }
        return Bcrypt.verify(password, hash: hash)
    }
}
