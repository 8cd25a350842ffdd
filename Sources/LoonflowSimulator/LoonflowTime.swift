/// Loonflow's timestamps, without Foundation's calendars: rows print UTC as
/// `YYYY-MM-DD HH:MM:SS +0000`; date filters read naive values in Asia/Shanghai time (UTC+8,
/// no daylight saving), the deployment's `TIME_ZONE`.
enum LoonflowTime {
    static let shanghaiOffset: Int64 = 8 * 3600

    /// `2026-12-01 10:28:00 +0000` → Unix seconds.
    static func parseRowTimestamp(_ text: String) -> Int64? {
        parseFilter(text)
    }

    /// Unix seconds → `2026-12-01 10:28:00 +0000`.
    static func rowTimestamp(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = seconds - days * 86400
        let (year, month, day) = civil(fromDays: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(Int(rest / 3600), 2)):\(pad(Int(rest / 60 % 60), 2)):\(pad(Int(rest % 60), 2)) +0000"
    }

    /// A `create_start`/`create_end` value as Django parses it: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.ffffff]]`
    /// or ISO 8601 with `T`, optionally with `Z` or `±HH[:]MM`. Naive values are Shanghai time.
    /// Nil when it is none of these (Loonflow then answers "Internal Server Error").
    static func parseFilter(_ raw: String) -> Int64? {
        let text = Array(raw.trimmingCharacters(in: " ").utf8)
        guard text.count >= 10, let year = number(text, 0, 4), text[4] == 45, let month = number(text, 5, 2), text[7] == 45,
            let day = number(text, 8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = days(year: year, month: month, day: day) * 86400
        var index = 10
        if index < text.count, text[index] == 32 || text[index] == 84 {  // " " or "T"
            guard let hour = number(text, index + 1, 2), text.count > index + 5, text[index + 3] == 58,
                let minute = number(text, index + 4, 2), hour < 24, minute < 60
            else { return nil }
            seconds += Int64(hour * 3600 + minute * 60)
            index += 6
            if index < text.count, text[index] == 58 {
                guard let second = number(text, index + 1, 2), second < 60 else { return nil }
                seconds += Int64(second)
                index += 3
                if index < text.count, text[index] == 46 {
                    index += 1
                    while index < text.count, (48...57).contains(text[index]) { index += 1 }
                }
            }
        }
        guard index < text.count else { return seconds - shanghaiOffset }
        return offset(text, from: index).map { seconds - $0 }
    }

    /// The UTC offset a suffix names, in seconds; nil for anything else.
    private static func offset(_ text: [UInt8], from index: Int) -> Int64? {
        var rest = Array(text[index...])
        while rest.first == 32 { rest.removeFirst() }
        if rest == [90] { return 0 }  // "Z"
        guard rest.count >= 3, rest[0] == 43 || rest[0] == 45, let hours = number(rest, 1, 2) else { return nil }
        var minutes = 0
        let tail = rest.count > 3 && rest[3] == 58 ? 4 : 3
        if rest.count > tail {
            guard let value = number(rest, tail, 2), rest.count == tail + 2 else { return nil }
            minutes = value
        } else if rest.count != 3 {
            return nil
        }
        let sign: Int64 = rest[0] == 45 ? -1 : 1
        return sign * Int64(hours * 3600 + minutes * 60)
    }

    private static func number(_ text: [UInt8], _ start: Int, _ length: Int) -> Int? {
        guard start >= 0, start + length <= text.count else { return nil }
        var value = 0
        for byte in text[start..<(start + length)] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    /// Days since 1970-01-01 (Howard Hinnant's civil-date algorithm).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    static func civil(fromDays value: Int64) -> (Int, Int, Int) {
        let z = value + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let dayOfEra = z - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

extension String {
    /// The string without leading and trailing `character`s.
    func trimmingCharacters(in character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice.removeFirst() }
        while slice.last == character { slice.removeLast() }
        return String(slice)
    }
}
