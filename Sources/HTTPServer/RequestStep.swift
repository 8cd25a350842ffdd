internal import CMicroHTTPD
import HTTPMessage

/// One call of the access handler for one exchange, on libmicrohttpd's thread.
///
/// libmicrohttpd calls the handler once the head has arrived, once per body piece, once when
/// the request is complete, and again after a suspended connection is resumed. The
/// exchange's stage tells these calls apart.
struct RequestStep {
    let core: ServerCore
    let exchange: Exchange
    let connection: OpaquePointer

    /// - Parameters:
    ///   - method: the request method.
    ///   - body: a body piece, or nil for the calls that carry none.
    /// - Returns: false to make libmicrohttpd close the connection.
    func advance(method: String, body: UnsafeRawBufferPointer?) -> Bool {
        switch exchange.stage {
        case .head:
            return receiveHead(method: method)
        case .body:
            if let body { return receiveBody(body) }
            if exchange.bodyOverflowed { return rejectOversizedBody() }
            return exchange.beginHandling(exchange.makeRequest(), with: core.handler)
        case .handling:
            switch exchange.takeOutcome() {
            case .abort: return false
            case .waiting: return true
            case .respond(let response): return queue(response)
            }
        case .responding, .rejected:
            return true
        }
    }

    /// Reads the header fields; a declared length over the cap is answered at once, so the
    /// body is never read (and no `100 Continue` goes out).
    private func receiveHead(method: String) -> Bool {
        var headers = HTTPHeaders()
        _ = withUnsafeMutablePointer(to: &headers) {
            MHD_get_connection_values_n(connection, .HEADER_KIND, headerVisited, $0)
        }
        exchange.receiveHead(method: method, headers: headers)
        if let declared = headers["Content-Length"].flatMap({ UInt64($0) }),
            declared > UInt64(core.options.maxBodyBytes)
        {
            return rejectOversizedBody()
        }
        return true
    }

    /// Stores a body piece. A chunked body that grows past the cap is read to its end and
    /// discarded, then answered with 413: libmicrohttpd 0.9.75 refuses `MHD_queue_response`
    /// while the body is still arriving. A body that runs on past twice the cap is cut off.
    private func receiveBody(_ body: UnsafeRawBufferPointer) -> Bool {
        exchange.appendBody(body, limit: core.options.maxBodyBytes) != .closeNow
    }

    private func rejectOversizedBody() -> Bool {
        exchange.markRejected()
        let limit = core.options.maxBodyBytes
        let text =
            #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"request body exceeds \#(limit) bytes"}}"#
        let response = HTTPResponse(
            status: 413, headers: ["Content-Type": "application/json"], body: Array(text.utf8))
        return queue(response, closing: true)
    }

    /// Turns `response` into a libmicrohttpd response and queues it.
    private func queue(_ response: HTTPResponse, closing: Bool = false) -> Bool {
        guard let prepared = makeResponse(response.body) else { return false }
        defer { MHD_destroy_response(prepared) }
        for field in response.headers where !Self.framingHeaders.contains(field.name.lowercased()) {
            _ = MHD_add_response_header(prepared, field.name, field.value)
        }
        if closing || core.phase != .serving {
            _ = MHD_add_response_header(prepared, "Connection", "close")
        }
        let status = (200...999).contains(response.status) ? response.status : 500
        return MHD_queue_response(connection, UInt32(status), prepared) == .YES
    }

    /// Headers libmicrohttpd writes itself from the body it is given.
    private static let framingHeaders: Set<String> = ["content-length", "transfer-encoding"]

    private func makeResponse(_ body: HTTPResponse.Body) -> OpaquePointer? {
        switch body {
        case .bytes(let bytes):
            return bytes.withUnsafeBytes {
                MHD_create_response_from_buffer(
                    $0.count, UnsafeMutableRawPointer(mutating: $0.baseAddress), .RESPMEM_MUST_COPY)
            }
        case .stream:
            let retained = Unmanaged.passRetained(exchange)
            guard
                let response = MHD_create_response_from_callback(
                    cmhd_size_unknown, 16 * 1024, streamReader, retained.toOpaque(), streamReaderFreed)
            else {
                retained.release()
                return nil
            }
            return response
        }
    }
}
