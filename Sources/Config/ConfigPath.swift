import Glibc

/// Lexical path handling for settings that name files or folders. Nothing here touches the
/// file system except `currentDirectory()`.
enum ConfigPath {
    /// The process's working directory, or `/` if it cannot be read (it was removed).
    static func currentDirectory() -> String {
        guard let pointer = getcwd(nil, 0) else { return "/" }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// `path` made absolute against `folder` (itself absolute), with `.` and `..` folded away.
    static func absolute(_ path: String, relativeTo folder: String) -> String {
        normalize(path.hasPrefix("/") ? path : folder + "/" + path)
    }

    /// The folder holding `path`, which must be absolute.
    static func directory(of path: String) -> String {
        var parts = components(path)
        if !parts.isEmpty { parts.removeLast() }
        return "/" + parts.joined(separator: "/")
    }

    /// An absolute path with empty, `.` and `..` parts removed.
    static func normalize(_ path: String) -> String {
        "/" + components(path).joined(separator: "/")
    }

    private static func components(_ path: String) -> [Substring] {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return parts
    }
}

/// Reads configuration files with stdio, so the module needs no Foundation.
enum ConfigFile {
    /// No configuration is this big; a larger file is likely the wrong one (or a device).
    static let maximumSize = 1 << 20

    /// Whether something exists at `path`.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The whole file at `path`.
    /// - Parameters:
    ///   - path: where to read.
    ///   - shownAs: how errors name the file (the path as the user gave it).
    /// - Throws: `ConfigError` with the system's reason when it cannot be read, or when it is too big.
    static func read(_ path: String, shownAs: String) throws(ConfigError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw ConfigError(origin: shownAs, problem: "cannot open: \(systemReason())")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            bytes.append(contentsOf: chunk.prefix(count))
            if bytes.count > maximumSize {
                throw ConfigError(origin: shownAs, problem: "larger than \(maximumSize) bytes; is this the right file?")
            }
            if count < chunk.count { break }
        }
        if ferror(file) != 0 {
            throw ConfigError(origin: shownAs, problem: "cannot read: \(systemReason())")
        }
        return bytes
    }

    private static func systemReason() -> String {
        String(cString: strerror(errno))
    }
}
