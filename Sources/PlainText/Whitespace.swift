/// Trimming as HTTP header values and tool arguments need it: spaces, tabs and line breaks at
/// either end, nothing inside.
extension Substring {
    package func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}

extension String {
    package func trimmingWhitespace() -> String { String(Substring(self).trimmingWhitespace()) }
}
