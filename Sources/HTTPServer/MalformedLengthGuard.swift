internal import CMicroHTTPD
internal import Glibc
import HTTPMessage

/// Answers the requests whose `Content-Length` libmicrohttpd itself refuses, because its own
/// answer to them is broken.
///
/// libmicrohttpd 0.9.75 checks `Content-Length` (when there is no `Transfer-Encoding`) before
/// the access handler is called, and for a value that is not plain digits (`-1`, `5, 5`,
/// `5 5`) or that overflows 64 bits it queues a 400 or 413 itself. Its state machine then
/// overwrites the state that error left (`connection.c`, `MHD_CONNECTION_HEADERS_RECEIVED`:
/// `parse_connection_headers` is followed by `state = MHD_CONNECTION_HEADERS_PROCESSED`
/// unconditionally), reaches `MHD_CONNECTION_START_REPLY` and builds the header block a
/// second time, so the bytes promised as the body begin with another status line. The
/// access handler is never called for such a request, and no option of 0.9.75 changes it
/// (Debian 12 ships no later version).
///
/// The one signal that reaches the application is the library's log message, written on
/// its thread while that connection is being parsed. Then every connection still waiting for
/// its head is checked; one whose header fields already hold a `Content-Length` that
/// `RequestFraming` refuses gets a well-framed refusal written to its socket, and the socket
/// is shut down for writing, so libmicrohttpd's own broken answer can no longer be sent (its
/// write fails and it closes the connection).
enum MalformedLengthGuard {
    /// On libmicrohttpd's thread, from its log callback.
    static func answerMalformedLengths(core: ServerCore) {
        for exchange in core.exchangesAwaitingHead() {
            guard let (connection, socket) = exchange.liveConnection(), socket >= 0 else { continue }
            let headers = RequestStep.headers(of: connection)
            guard headers.values(for: "Transfer-Encoding").isEmpty,
                let refusal = RequestFraming.lengthRefusal(
                    headers.values(for: "Content-Length"), maxBodyBytes: core.options.maxBodyBytes)
            else { continue }
            exchange.markRejected()
            answer(socket: socket, with: refusal.wireBytes(from: core.handler))
        }
    }

    /// Writes what fits without blocking (the whole answer, on a socket that has sent nothing
    /// for this request), then ends the sending side.
    private static func answer(socket: Int32, with bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
        _ = shutdown(socket, Int32(SHUT_WR))
    }
}
