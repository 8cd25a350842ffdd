import Synchronization

/// The response bytes all transfers of one client may hold at once.
///
/// Each answer is capped at `maxResponseBytes`, but a misbehaving upstream can send many
/// answers near the cap at the same time (over-long bodies, gzip bombs, bodies that stall just
/// before their end), and each one is buffered until it fails. The budget bounds their sum:
/// a transfer whose buffer would grow past what is left fails as too large, and every
/// transfer gives its share back the moment it ends.
final class ResponseBudget: Sendable {
    let limit: Int
    private let held = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Takes `bytes` from the budget; false (and nothing taken) when they do not fit.
    func take(_ bytes: Int) -> Bool {
        var current = held.load(ordering: .relaxed)
        while true {
            guard current + bytes <= limit else { return false }
            let (exchanged, original) = held.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    func give(_ bytes: Int) {
        guard bytes > 0 else { return }
        held.subtract(bytes, ordering: .relaxed)
    }

    /// Bytes held now (tests and diagnostics).
    var heldBytes: Int { held.load(ordering: .relaxed) }
}
