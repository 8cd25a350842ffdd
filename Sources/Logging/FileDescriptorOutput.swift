import Glibc

/// Writes bytes to a file descriptor in full, retrying short writes and EINTR. Standard error
/// (logs) and standard output (the stdio transport) are written this way, unbuffered, so a
/// line is never split or held back.
package enum FileDescriptorOutput {
    package static func write(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0, errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
