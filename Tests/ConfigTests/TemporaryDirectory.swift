import Glibc

/// A fresh folder under /tmp for one test's files, removed with everything in it when released.
final class TemporaryDirectory {
    let path: String
    private var created: [String] = []

    init() {
        var template = Array("/tmp/config-tests-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed: \(errno)") }
        path = String(cString: made)
    }

    deinit {
        for file in created.reversed() {
            if unlink(file) != 0 { rmdir(file) }
        }
        rmdir(path)
    }

    /// Writes `contents` to `name` inside the folder and returns the file's full path.
    @discardableResult
    func write(_ name: String, _ contents: String) -> String {
        write(name, bytes: Array(contents.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let file = "\(path)/\(name)"
        guard let handle = fopen(file, "wb") else { fatalError("cannot create \(file)") }
        _ = fwrite(bytes, 1, bytes.count, handle)
        fclose(handle)
        created.append(file)
        return file
    }

    /// Makes a subfolder and returns its full path.
    func makeFolder(_ name: String) -> String {
        let folder = "\(path)/\(name)"
        mkdir(folder, 0o700)
        created.append(folder)
        return folder
    }
}
