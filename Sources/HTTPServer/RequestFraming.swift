import HTTPMessage

/// Why a request head is refused before its body is read. Every refusal closes the
/// connection: after a framing error the server cannot know where the next request starts.
struct FramingRefusal: Sendable, Equatable {
    var status: Int
    var message: String

    /// The answer the handler gives for this refusal.
    func response(from handler: any HTTPHandler) -> HTTPResponse {
        handler.refusal(status: status, reason: message)
    }

    /// The handler's answer as bytes on the wire, for the one case where it is written to the
    /// socket directly (`MalformedLengthGuard`).
    func wireBytes(from handler: any HTTPHandler) -> [UInt8] {
        let response = response(from: handler)
        let body = response.body.bytes ?? []
        let reason = status == 413 ? "Content Too Large" : "Bad Request"
        var head = "HTTP/1.1 \(status) \(reason)\r\n"
        for field in response.headers where !["content-length", "connection"].contains(field.name.lowercased()) {
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }
}

/// The message framing rules of RFC 9112 as nginx applies them, checked on the header
/// fields libmicrohttpd collected (it keeps repeated fields, so duplicates are visible).
///
/// libmicrohttpd 0.9.75 reads `Transfer-Encoding` first and ignores `Content-Length` when
/// both are sent, takes the first of two `Content-Length` or `Host` fields, waits for a body
/// of unknown length on a transfer coding it does not know, and cuts the request target at
/// a NUL byte; these checks refuse all of that before the body is read.
enum RequestFraming {
    /// The first rule `head` breaks, or nil when its framing is sound.
    /// - Parameters:
    ///   - headers: every header field, repeated ones included.
    ///   - targetHasNUL: the request target held a NUL byte.
    ///   - maxBodyBytes: the largest body accepted.
    static func check(_ headers: HTTPHeaders, targetHasNUL: Bool, maxBodyBytes: Int) -> FramingRefusal? {
        if targetHasNUL { return FramingRefusal(status: 400, message: "the request target contains a NUL byte") }
        if headers.values(for: "Host").count > 1 {
            return FramingRefusal(status: 400, message: "more than one Host header")
        }
        let codings = headers.values(for: "Transfer-Encoding")
        let lengths = headers.values(for: "Content-Length")
        if !codings.isEmpty {
            if !lengths.isEmpty {
                return FramingRefusal(status: 400, message: "both Content-Length and Transfer-Encoding are present")
            }
            return transferCodingRefusal(codings)
        }
        return lengthRefusal(lengths, maxBodyBytes: maxBodyBytes)
    }

    /// Only `chunked`, alone, is a framing this server reads.
    private static func transferCodingRefusal(_ fields: [String]) -> FramingRefusal? {
        let codings = fields.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingCharacters(in: " \t").lowercased() }
        if codings == ["chunked"] { return nil }
        if codings.contains(where: { $0.isEmpty || !$0.allSatisfy(isTokenCharacter) }) {
            return FramingRefusal(status: 400, message: "malformed Transfer-Encoding header")
        }
        return FramingRefusal(status: 501, message: "transfer coding not supported: only chunked, alone, is read")
    }

    /// One `Content-Length`, of digits only (no sign, list or spaces), within the limit.
    static func lengthRefusal(_ fields: [String], maxBodyBytes: Int) -> FramingRefusal? {
        guard let field = fields.first else { return nil }
        if fields.count > 1 { return FramingRefusal(status: 400, message: "more than one Content-Length header") }
        let digits = field.trimmingCharacters(in: " \t")
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return FramingRefusal(status: 400, message: "malformed Content-Length header: digits only")
        }
        guard let declared = UInt64(digits), declared <= UInt64(maxBodyBytes) else {
            return FramingRefusal(status: 413, message: "request body exceeds \(maxBodyBytes) bytes")
        }
        return nil
    }

    /// RFC 9110 `tchar`.
    private static func isTokenCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        if character.isLetter || character.isNumber { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(ascii)
    }
}

extension String {
    /// Without leading and trailing characters from `set` (spaces and tabs around a field value).
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(Substring(self).trimmingCharacters(in: set))
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        let strip: (Character) -> Bool = { set.contains($0) }
        guard let first = firstIndex(where: { !strip($0) }), let last = lastIndex(where: { !strip($0) }) else { return "" }
        return self[first...last]
    }
}

extension HTTPResponse.Body {
    /// The bytes of a body that is not streamed.
    fileprivate var bytes: [UInt8]? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }
}
