/// Shape checks for the date, date-time and time texts Loonflow's form fields store.
enum DateText {
    /// `YYYY-MM-DD` naming a real calendar day.
    static func isDate(_ text: String) -> Bool { isDate(Array(text.utf8)[...]) }

    static func isTime(_ text: String) -> Bool { isTime(Array(text.utf8)[...]) }

    static func isDate(_ text: ArraySlice<UInt8>) -> Bool {
        let bytes = Array(text)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10])
        else { return false }
        guard year >= 1, (1...12).contains(month), day >= 1 else { return false }
        return day <= daysIn(month: month, year: year)
    }

    /// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`.
    static func isTime(_ text: ArraySlice<UInt8>) -> Bool {
        let bytes = Array(text)
        guard bytes.count >= 5, bytes[2] == UInt8(ascii: ":"), let hour = number(bytes[0..<2]),
            let minute = number(bytes[3..<5]), hour < 24, minute < 60
        else { return false }
        if bytes.count == 5 { return true }
        guard bytes.count >= 8, bytes[5] == UInt8(ascii: ":"), let second = number(bytes[6..<8]), second < 60 else {
            return false
        }
        if bytes.count == 8 { return true }
        return bytes[8] == UInt8(ascii: ".") && bytes.count > 9 && number(bytes[9...]) != nil
    }

    /// A date, `T` or a space, a time, then optionally `Z` or a `±HH[:MM]` offset: ISO 8601 and
    /// `YYYY-MM-DD HH:MM:SS`, the forms Django parses.
    static func isDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 16, isDate(bytes[0..<10]), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " ")
        else { return false }
        var rest = bytes[11...]
        if rest.last == UInt8(ascii: "Z") {
            rest = rest.dropLast()
        } else if let sign = rest.lastIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) {
            guard isOffset(rest[(sign + 1)...]) else { return false }
            rest = rest[..<sign]
        }
        return isTime(rest)
    }

    /// `HH`, `HHMM` or `HH:MM`.
    private static func isOffset(_ text: ArraySlice<UInt8>) -> Bool {
        let bytes = Array(text)
        switch bytes.count {
        case 2: return number(bytes[0..<2]).map { $0 < 24 } ?? false
        case 4: return number(bytes[0..<2]).map { $0 < 24 } == true && number(bytes[2..<4]).map { $0 < 60 } == true
        case 5:
            return bytes[2] == UInt8(ascii: ":") && number(bytes[0..<2]).map { $0 < 24 } == true
                && number(bytes[3..<5]).map { $0 < 60 } == true
        default: return false
        }
    }

    /// The decimal value of an all-digit slice, else nil.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var value = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
