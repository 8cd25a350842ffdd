import Crypto
import FoundationEssentials
import Glibc

/// File access for fixture sets: whole-file reads, and writes that readers never see half done.
enum FixtureFiles {
    /// The file's bytes, or nil when it cannot be read.
    static func read(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    /// Names of the `*.json` files in `directory` other than tokens.json, sorted.
    static func fixtureNames(in directory: String) throws(FixtureError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw FixtureError("cannot list \(directory): is it a fixture set folder?")
        }
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") && $0 != FixtureTokens.fileName }.sorted()
    }

    /// Creates `directory` (and its parents) when it does not exist yet.
    static func makeDirectory(_ directory: String) throws(FixtureError) {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw FixtureError("\(directory) exists and is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FixtureError("cannot create \(directory): \(error)")
        }
    }

    /// Writes `bytes` to a temporary file beside `path`, flushes it, then renames it over
    /// `path`, so a reader sees the old file or the new one and never a partial one.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FixtureError) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(folder)/.\(name).\(secureRandomBytes(count: 6).hexString).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FixtureError("cannot create \(temporary): \(errorText())") }
        var failure: String?
        if !writeAll(bytes, to: descriptor) {
            failure = "cannot write \(temporary): \(errorText())"
        } else if fsync(descriptor) != 0 {
            failure = "cannot flush \(temporary): \(errorText())"
        }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = "cannot rename \(temporary) to \(path): \(errorText())" }
        if let failure {
            unlink(temporary)
            throw FixtureError(failure)
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
