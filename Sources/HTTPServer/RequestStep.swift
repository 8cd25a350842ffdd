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
    ///   - version: libmicrohttpd's pointer to the HTTP version in the request line, which
    ///     follows the target in the same buffer (used to find a NUL inside the target).
    ///   - body: a body piece, or nil for the calls that carry none.
    /// - Returns: false to make libmicrohttpd close the connection.
    func advance(method: String, version: UnsafePointer<CChar>?, body: UnsafeRawBufferPointer?) -> Bool {
        switch exchange.stage {
        case .head:
            return receiveHead(method: method, version: version)
        case .body:
            if let body { return receiveBody(body) }
            if exchange.bodyOverflowed { return rejectOversizedBody() }
            return exchange.beginHandling(exchange.makeRequest(), with: core.handler, on: core.handlerExecutor)
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

    /// Reads the header fields and checks the message framing; a refused head (a length
    /// over the cap included) is answered at once, so the body is never read (and no
    /// `100 Continue` goes out).
    private func receiveHead(method: String, version: UnsafePointer<CChar>?) -> Bool {
        core.headDeadline.headArrived(connection)
        let headers = Self.headers(of: connection)
        exchange.receiveHead(method: method, headers: headers)
        let refusal = RequestFraming.check(
            headers, targetHasNUL: exchange.targetHasNUL(versionStart: version),
            maxBodyBytes: core.options.maxBodyBytes)
        if let refusal { return reject(refusal) }
        return true
    }

    /// Every header field of `connection` in the order received, repeated ones included.
    /// Only on libmicrohttpd's thread.
    static func headers(of connection: OpaquePointer) -> HTTPHeaders {
        var headers = HTTPHeaders()
        _ = withUnsafeMutablePointer(to: &headers) {
            MHD_get_connection_values_n(connection, .HEADER_KIND, headerVisited, $0)
        }
        return headers
    }

    /// Stores a body piece. A chunked body that grows past the cap is read to its end and
    /// discarded, then answered with 413: libmicrohttpd 0.9.75 refuses `MHD_queue_response`
    /// while the body is still arriving. A body that runs on past twice the cap is cut off.
    private func receiveBody(_ body: UnsafeRawBufferPointer) -> Bool {
        exchange.appendBody(body, limit: core.options.maxBodyBytes) != .closeNow
    }

    private func rejectOversizedBody() -> Bool {
        reject(FramingRefusal(status: 413, message: "request body exceeds \(core.options.maxBodyBytes) bytes"))
    }

    /// Answers `refusal` and closes the connection after it.
    private func reject(_ refusal: FramingRefusal) -> Bool {
        exchange.markRejected()
        return queue(refusal.response(from: core.handler), closing: true)
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
