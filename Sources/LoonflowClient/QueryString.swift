import HTTPMessage

/// Builds `a=1&b=x%20y` from ordered pairs.
package enum QueryString {
    package static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
    }
}
