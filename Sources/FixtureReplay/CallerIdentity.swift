import Crypto
import JSON

/// What the recorder can learn about a caller without asking Loonflow: a JWT names its user
/// and type in the payload; a PAT says nothing.
struct CallerIdentity: Equatable {
    var kind: String
    var user: String?
    var role: String?

    init(token: String) {
        guard !token.hasPrefix("lfpat.") else {
            self.kind = "PAT"
            return
        }
        self.kind = "JWT"
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = Base64URL.decode(parts[1]),
            let data = (try? JSONParser().parse(bytes))?["data"]
        else { return }
        let email = data["email"]?.stringValue.map { String($0.prefix { $0 != "@" }) }
        self.user = data["name"]?.stringValue ?? email
        self.role = data["type"]?.stringValue
    }

    /// A user name usable inside a placeholder: letters, digits, `.`, `-` and `_`.
    static func sanitized(_ name: String) -> String {
        let kept = name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "_" }
        return String(String(kept).prefix(40))
    }
}
