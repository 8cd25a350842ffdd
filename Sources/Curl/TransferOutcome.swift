import HTTPMessage

/// What one transfer left behind, handed from the event-loop thread to the waiting task.
struct TransferOutcome: Sendable {
    enum Ending: Sendable, Equatable {
        /// libcurl finished the transfer with this `CURLcode`; `message` is its explanation.
        case completed(code: UInt32, message: String)
        /// Removed because the calling task was cancelled.
        case cancelled
        /// The client shut down before the transfer finished.
        case shutDown
    }

    var ending: Ending
    var status: Int
    var httpVersion: String
    var headers: HTTPHeaders
    var body: [UInt8]
    /// The header callback ran: a status line or header had arrived.
    var headersReceived: Bool
    /// A connection was ready and libcurl was about to write the request on it.
    var requestStarted: Bool
    /// The write callback refused the body because it outgrew the cap.
    var exceededSizeCap: Bool
    /// The transfer rode a connection opened by an earlier one.
    var reusedConnection: Bool
}
