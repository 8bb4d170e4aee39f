// A configuration value as the user wrote it, before any rule applies: a JSON value from a --config
// file or a checkpoint, or the text of a command-line flag. Numbers keep their literal text, so a
// rule can tell 2.5 from 2 and 1e1 (10) from 1e400 (no integer) and quote the value back.
import Foundation

public indirect enum SettingValue: Equatable, Sendable {
    /// A JSON number literal exactly as written (RFC 8259 grammar).
    case number(String)
    case string(String)
    case bool(Bool)
    case null
    case array([SettingValue])
    /// A JSON object; no key takes one, so only its size is kept for the message.
    case object(count: Int)
    /// The text of a command-line flag: numbers, words and comma lists are read from it by the rule.
    case flag(String)

    /// The value as the user wrote it, for messages ("got 2.5", "got \"big\"").
    public var shown: String {
        switch self {
        case .number(let text), .flag(let text): return Self.clipped(text)
        case .string(let text): return "\"\(Self.clipped(text))\""
        case .bool(let value): return String(value)
        case .null: return "null"
        case .array(let items):
            let inner = items.prefix(8).map(\.shown).joined(separator: ", ")
            return "[\(inner)\(items.count > 8 ? ", … (\(items.count) items)" : "")]"
        case .object(let count): return "an object of \(count) key(s)"
        }
    }

    /// Values as they appear in messages: one line whatever the file holds (long values cut), and
    /// control characters escaped so a file cannot drive the terminal that shows the message.
    static func clipped(_ text: String) -> String {
        let cut = text.count <= 80 ? text : String(text.prefix(77)) + "…"
        var shown = ""
        for scalar in cut.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                shown += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// An exact integer: a JSON number (or flag text in JSON's number grammar) whose mathematical
    /// value is whole, so 1e1 and 10.0 are 10 while 2.5 is not an integer. Values beyond Int are nil.
    var integer: Int? {
        guard let whole = wholeNumber, whole.magnitude <= UInt64(Int.max) else { return nil }
        return whole.negative ? -Int(whole.magnitude) : Int(whole.magnitude)
    }

    /// A non-negative whole number up to UInt64.max (seeds).
    var unsignedInteger: UInt64? {
        guard let whole = wholeNumber, !whole.negative || whole.magnitude == 0 else { return nil }
        return whole.magnitude
    }

    /// A finite number; JSON numbers too large for a Double (1e400) are not.
    var finiteNumber: Double? {
        guard let literal = numberLiteral, let value = Double(literal), value.isFinite else { return nil }
        return value
    }

    var text: String? {
        switch self {
        case .string(let text), .flag(let text): return text
        default: return nil
        }
    }

    var boolean: Bool? {
        switch self {
        case .bool(let value): return value
        case .flag("true"): return true
        case .flag("false"): return false
        default: return nil
        }
    }

    /// Elements of a list: a JSON array, or comma-separated flag text ("50,50,50").
    var elements: [SettingValue]? {
        switch self {
        case .array(let items): return items
        case .flag(let text):
            return text.split(separator: ",", omittingEmptySubsequences: false)
                .map { .flag($0.trimmingCharacters(in: .whitespaces)) }
        default: return nil
        }
    }

    private var numberLiteral: String? {
        switch self {
        case .number(let text): return text
        case .flag(let text) where Self.isNumberLiteral(Array(text.utf8)): return text
        default: return nil
        }
    }

    /// Sign and magnitude of a whole number; nil when the literal is not a number, not whole, or
    /// beyond UInt64. Works on the digits, never on a Double, so no precision is lost and no
    /// exponent (1e999999999) costs more than reading its digits.
    private var wholeNumber: (negative: Bool, magnitude: UInt64)? {
        guard let literal = numberLiteral else { return nil }
        var bytes = Array(literal.utf8)[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        var digits = Array(bytes.prefix(while: isDigit))
        bytes = bytes.dropFirst(digits.count)
        var scale = 0
        if bytes.first == UInt8(ascii: ".") {
            let fraction = bytes.dropFirst().prefix(while: isDigit)
            digits += fraction
            scale -= fraction.count
            bytes = bytes.dropFirst(1 + fraction.count)
        }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var exponentNegative = false
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                exponentNegative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            let exponentDigits = bytes.drop { $0 == UInt8(ascii: "0") }
            // Any exponent past a million puts the value beyond UInt64 or below 1 for every
            // literal that fits in a config file; keep it bounded so the sum below cannot overflow.
            var exponent = exponentDigits.count > 7 ? 10_000_000 : 0
            if exponentDigits.count <= 7 {
                for d in exponentDigits { exponent = exponent * 10 + Int(d - UInt8(ascii: "0")) }
            }
            scale += exponentNegative ? -exponent : exponent
        }
        // Leading zeros carry nothing; trailing zeros move into the scale.
        digits.removeFirst(digits.prefix { $0 == UInt8(ascii: "0") }.count)
        while digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            scale += 1
        }
        if digits.isEmpty { return (false, 0) }
        guard scale >= 0, digits.count + scale <= 20 else { return nil }
        var magnitude: UInt64 = 0
        for d in digits + [UInt8](repeating: UInt8(ascii: "0"), count: scale) {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(d - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            magnitude = sum
        }
        return (negative, magnitude)
    }

    /// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    static func isNumberLiteral(_ bytes: [UInt8]) -> Bool {
        numberLiteralLength(bytes, from: 0) == bytes.count && !bytes.isEmpty
    }

    /// Length of the number literal starting at `start`, or nil when none starts there.
    static func numberLiteralLength(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        func digit(_ j: Int) -> Bool {
            j < bytes.count && bytes[j] >= UInt8(ascii: "0") && bytes[j] <= UInt8(ascii: "9")
        }
        if i < bytes.count && bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digit(i) else { return nil }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while digit(i) { i += 1 } }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { return nil }
            while digit(i) { i += 1 }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard digit(i) else { return nil }
            while digit(i) { i += 1 }
        }
        return i - start
    }
}
