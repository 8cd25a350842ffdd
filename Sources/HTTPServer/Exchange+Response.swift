internal import CMicroHTTPD
import HTTPMessage
import Synchronization

extension Exchange {
    // MARK: Handler task side

    /// Hands the handler's answer to libmicrohttpd and, for a stream, pumps its chunks.
    /// Runs in the handler's task, so cancelling that task also ends the pump.
    func respond(with response: HTTPResponse) async {
        let delivered = state.withLock { state -> Bool in
            guard !state.aborted, state.connection != nil else { return false }
            state.response = response
            resume(&state)
            return true
        }
        guard delivered, case .stream(let stream) = response.body else { return }
        for await chunk in stream {
            guard push(chunk) else { return }
        }
        finishStream()
    }

    /// Queues a chunk and wakes a connection waiting for it.
    /// - Returns: false when nobody will read it any more.
    private func push(_ chunk: [UInt8]) -> Bool {
        state.withLock { state in
            guard !state.aborted, state.connection != nil else { return false }
            guard !chunk.isEmpty else { return true }
            state.pending.append(chunk)
            resume(&state)
            return true
        }
    }

    private func finishStream() {
        state.withLock { state in
            state.streamFinished = true
            resume(&state)
        }
    }

    // MARK: libmicrohttpd's thread

    /// What the access handler finds when it is called after the handler ran.
    enum Outcome {
        case respond(HTTPResponse)
        case abort
        case waiting
    }

    /// Takes the handler's answer; re-suspends when none is there yet (a spurious call).
    func takeOutcome() -> Outcome {
        state.withLock { state in
            if state.aborted || state.connection == nil { return .abort }
            guard let response = state.response else {
                suspend(&state)
                return .waiting
            }
            state.stage = .responding
            state.response = nil
            return .respond(response)
        }
    }

    /// Copies the next streamed bytes into libmicrohttpd's buffer (the content reader).
    ///
    /// With nothing to send yet, it suspends the connection and returns 0: returning 0
    /// without suspending makes libmicrohttpd's internal thread call again at once.
    /// - Returns: the byte count, or the library's end-of-stream / error marker.
    func readStream(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        state.withLock { state in
            if state.aborted || state.connection == nil { return cmhd_reader_end_with_error }
            guard !state.pending.isEmpty else {
                if state.streamFinished { return cmhd_reader_end_of_stream }
                suspend(&state)
                return 0
            }
            var written = 0
            while written < capacity, !state.pending.isEmpty {
                let chunk = state.pending[0]
                let count = min(capacity - written, chunk.count - state.pendingOffset)
                chunk.withUnsafeBytes { bytes in
                    (buffer + written).copyMemory(
                        from: bytes.baseAddress! + state.pendingOffset, byteCount: count)
                }
                written += count
                state.pendingOffset += count
                if state.pendingOffset == chunk.count {
                    state.pending.removeFirst()
                    state.pendingOffset = 0
                }
            }
            return written
        }
    }
}
