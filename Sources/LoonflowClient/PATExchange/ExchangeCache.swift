/// What the exchange remembers for one PAT.
enum ExchangedToken: Sendable, Equatable {
    /// The JWT minted for the PAT's owner.
    case jwt(String)
    /// The owner could not be named with the key: the PAT goes to Loonflow as it is.
    case passThrough
}

/// Exchanged tokens by PAT hash, at most `capacity` of them: the least recently used entry goes
/// first when a new one needs room, and an expired entry is never handed out.
struct ExchangeCache {
    struct Entry {
        var token: ExchangedToken
        /// Unix seconds after which the PAT must be verified again.
        var validUntil: Int64
        var lastUse: UInt64
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]
    private var useCounter: UInt64 = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { entries.count }

    /// The entry for `key` while it is still valid at `now`; an expired entry is dropped.
    mutating func token(for key: String, now: Int64) -> ExchangedToken? {
        guard var entry = entries[key] else { return nil }
        guard now < entry.validUntil else {
            entries[key] = nil
            return nil
        }
        useCounter += 1
        entry.lastUse = useCounter
        entries[key] = entry
        return entry.token
    }

    mutating func store(_ token: ExchangedToken, for key: String, validUntil: Int64, now: Int64) {
        if entries[key] == nil, entries.count >= capacity { makeRoom(now: now) }
        useCounter += 1
        entries[key] = Entry(token: token, validUntil: validUntil, lastUse: useCounter)
    }

    /// Drops the expired entries, or the least recently used one when none has expired.
    private mutating func makeRoom(now: Int64) {
        let before = entries.count
        entries = entries.filter { now < $0.value.validUntil }
        guard entries.count == before, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) else { return }
        entries[oldest.key] = nil
    }
}
