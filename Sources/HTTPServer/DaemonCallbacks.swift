internal import CMicroHTTPD
import HTTPMessage
import Synchronization

// libmicrohttpd's callbacks. They are plain global functions (no captures, no actor), called
// only on libmicrohttpd's internal thread. `cls` is the `ServerCore`, retained by
// `HTTPServer` until `MHD_stop_daemon` returns; the request context pointer holds one
// retain of the `Exchange`, taken by `uriLogged` and given back by `requestCompleted`.

/// Creates the exchange as soon as the request line is parsed, keeping the raw target
/// (path and query exactly as sent; libmicrohttpd later hands out a decoded path only).
func uriLogged(
    cls: UnsafeMutableRawPointer?, uri: UnsafePointer<CChar>?, connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
    guard let cls, let uri, let connection else { return nil }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    let remote = cmhd_connection_client_address(connection).flatMap { BindAddress.text(of: $0) }
    let exchange = Exchange(target: uri, connection: connection, remoteAddress: remote, watcher: core.watcher)
    core.headDeadline.requestLineArrived(connection)
    core.track(exchange)
    return Unmanaged.passRetained(exchange).toOpaque()
}

/// Steps a request forward: head, body pieces, the end, and the call after the handler ran.
func accessHandler(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, url: UnsafePointer<CChar>?,
    method: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?, upload: UnsafePointer<CChar>?,
    uploadSize: UnsafeMutablePointer<Int>?, context: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let method, let uploadSize, let pointer = context?.pointee else {
        return .NO
    }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    let exchange = Unmanaged<Exchange>.fromOpaque(pointer).takeUnretainedValue()
    let step = RequestStep(core: core, exchange: exchange, connection: connection)
    let body = upload.map { UnsafeRawBufferPointer(start: $0, count: uploadSize.pointee) }
    let keepGoing = step.advance(method: String(cString: method), version: version, body: body)
    if body != nil { uploadSize.pointee = 0 }
    return keepGoing ? .YES : .NO
}

/// Ends the exchange: cancels its handler if the request did not complete, and releases it.
func requestCompleted(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?,
    context: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, code: MHD_RequestTerminationCode
) {
    guard let cls, let context, let pointer = context.pointee else { return }
    context.pointee = nil
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    let exchange = Unmanaged<Exchange>.fromOpaque(pointer).takeRetainedValue()
    exchange.connectionClosed(completed: code == .REQUEST_TERMINATED_COMPLETED_OK)
    core.forget(exchange)
}

/// Supplies streamed bytes; `cls` is an `Exchange` retained for the response's lifetime.
func streamReader(
    cls: UnsafeMutableRawPointer?, position: UInt64, buffer: UnsafeMutablePointer<CChar>?, capacity: Int
) -> Int {
    guard let cls, let buffer else { return cmhd_reader_end_with_error }
    let exchange = Unmanaged<Exchange>.fromOpaque(cls).takeUnretainedValue()
    return exchange.readStream(into: UnsafeMutableRawPointer(buffer), capacity: capacity)
}

/// Drops the stream reader's retain when libmicrohttpd destroys the response.
func streamReaderFreed(cls: UnsafeMutableRawPointer?) {
    guard let cls else { return }
    Unmanaged<Exchange>.fromOpaque(cls).release()
}

/// Appends each request header, in order, to the `HTTPHeaders` that `cls` points at.
func headerVisited(
    cls: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?, keySize: Int,
    value: UnsafePointer<CChar>?, valueSize: Int
) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let headers = cls.assumingMemoryBound(to: HTTPHeaders.self)
    let name = UnsafeRawBufferPointer(start: key, count: keySize)
    let text = value.map { UnsafeRawBufferPointer(start: $0, count: valueSize) }
    headers.pointee.add(
        String(decoding: name, as: UTF8.self), text.map { String(decoding: withoutSurroundingWhitespace($0), as: UTF8.self) } ?? "")
    return .YES
}

/// A field value without the optional whitespace (SP, HTAB) around it, which RFC 9110 §5.5
/// says is not part of the value.
private func withoutSurroundingWhitespace(_ bytes: UnsafeRawBufferPointer) -> Slice<UnsafeRawBufferPointer> {
    func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    let start = bytes.firstIndex { !isWhitespace($0) } ?? bytes.endIndex
    let end = bytes.lastIndex { !isWhitespace($0) }.map { $0 + 1 } ?? start
    return bytes[start..<max(start, end)]
}

/// Starts and ends the head deadline of each connection.
func connectionNotified(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    code: MHD_ConnectionNotificationCode
) {
    guard let cls, let connection else { return }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    switch code {
    case .CONNECTION_NOTIFY_STARTED: core.headDeadline.connectionStarted(connection)
    case .CONNECTION_NOTIFY_CLOSED:
        core.headDeadline.connectionClosed(connection)
        core.connectionClosedDuringRun.store(true, ordering: .relaxed)
    @unknown default: break
    }
}

/// libmicrohttpd's own messages. Only the ones about a `Content-Length` it could not read
/// matter: it is about to answer that request with a broken response (`MalformedLengthGuard`).
func libraryLogged(cls: UnsafeMutableRawPointer?, format: UnsafePointer<CChar>?, arguments: CVaListPointer?) {
    guard let cls, let format, String(cString: format).contains("Content-Length") else { return }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    MalformedLengthGuard.answerMalformedLengths(core: core)
}
