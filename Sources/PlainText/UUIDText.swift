/// True for `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lowercase hex.
package func isCanonicalUUID<S: StringProtocol>(_ text: S) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count == 36 else { return false }
    for (i, byte) in bytes.enumerated() {
        if i == 8 || i == 13 || i == 18 || i == 23 {
            if byte != UInt8(ascii: "-") { return false }
        } else if !((UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)) {
            return false
        }
    }
    return true
}
