// The --config reader: a small strict JSON parser (RFC 8259) that keeps what Foundation's drops —
// a key given twice, number literals as written, the line of each key — so messages can name them.
// It reads untrusted bytes: sizes and nesting are bounded, every index is checked, nothing traps.

enum ConfigurationJSON {
    /// A configuration is a few hundred bytes; a megabyte is a mistake (or an attack), not a config.
    static let maximumBytes = 1 << 20
    /// Nesting is bounded so a file of "[[[[…" cannot exhaust the stack.
    static let maximumDepth = 64

    struct Member {
        let key: String
        let value: SettingValue
        /// 1-based line of the key in the file.
        let line: Int
    }

    /// The members of the top-level object in file order. Refuses anything that is not exactly one
    /// JSON object, and a key given twice (naming it and both lines): JSON leaves repeated keys
    /// undefined, and a silent last-wins hides the edit a user made to the first one.
    static func members(of bytes: [UInt8], source: String) throws -> [Member] {
        guard bytes.count <= maximumBytes else {
            throw TrainingError.usage(
                "\(source): larger than \(maximumBytes) bytes, too large for a configuration file")
        }
        var parser = Parser(bytes: bytes)
        do {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
            parser.skipWhitespace()
            guard parser.peek == UInt8(ascii: "{") else {
                throw parser.failure(
                    parser.peek == nil ? "the file is empty" : "expected a JSON object ({ … }) at the top level")
            }
            let members = try parser.object()
            parser.skipWhitespace()
            guard parser.peek == nil else { throw parser.failure("unexpected text after the top-level object") }
            var firstLine: [String: Int] = [:]
            for member in members {
                if let line = firstLine[member.key] {
                    throw TrainingError.usage(
                        "\(source): key \"\(SettingValue.clipped(member.key))\" is given twice "
                            + "(lines \(line) and \(member.line)); keep one")
                }
                firstLine[member.key] = member.line
            }
            return members
        } catch let failure as Parser.Failure {
            let (line, column) = parser.position(of: failure.offset)
            throw TrainingError.usage("\(source): not valid JSON at line \(line), column \(column): \(failure.reason)")
        }
    }

    struct Parser {
        struct Failure: Error {
            let offset: Int
            let reason: String
        }

        let bytes: [UInt8]
        var index = 0
        var depth = 0
        /// Lines counted up to `linesCountedTo`, so finding each key's line costs only the bytes
        /// since the previous key (keys come in file order).
        var linesCountedTo = 0
        var linesBefore = 1

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        func failure(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

        /// Line and column (1-based, in bytes) of an offset.
        func position(of offset: Int) -> (line: Int, column: Int) {
            var line = 1
            var lineStart = 0
            for i in 0..<min(offset, bytes.count) where bytes[i] == UInt8(ascii: "\n") {
                line += 1
                lineStart = i + 1
            }
            return (line, offset - lineStart + 1)
        }

        mutating func lineNumber(at offset: Int) -> Int {
            while linesCountedTo < offset {
                if bytes[linesCountedTo] == UInt8(ascii: "\n") { linesBefore += 1 }
                linesCountedTo += 1
            }
            return linesBefore
        }

        mutating func skipWhitespace() {
            while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws {
            guard peek == byte else { throw failure("expected \(what)") }
            index += 1
        }

        mutating func value() throws -> SettingValue {
            skipWhitespace()
            guard let b = peek else { throw failure("expected a value, found the end of the file") }
            switch b {
            case UInt8(ascii: "{"):
                return .object(count: try object().count)
            case UInt8(ascii: "["):
                return .array(try array())
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            default:
                guard let length = SettingValue.numberLiteralLength(bytes, from: index) else {
                    throw failure("expected a value (a number, string, true, false, null, array or object)")
                }
                let text = String(decoding: bytes[index..<index + length], as: UTF8.self)
                index += length
                return .number(text)
            }
        }

        mutating func literal(_ word: String) throws {
            let expected = Array(word.utf8)
            guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw failure("expected a value (a number, string, true, false, null, array or object)")
            }
            index += expected.count
        }

        mutating func nest() throws {
            depth += 1
            guard depth <= ConfigurationJSON.maximumDepth else {
                throw failure("nested deeper than \(ConfigurationJSON.maximumDepth) levels")
            }
        }

        /// An object's or array's elements, from its opening bracket to `closing`, separated by commas;
        /// `element` reads one.
        mutating func elements<Element>(
            closing: UInt8, of container: String,
            _ element: (inout Parser) throws -> Element
        ) throws -> [Element] {
            try nest()
            defer { depth -= 1 }
            index += 1  // "{" or "["
            var elements: [Element] = []
            skipWhitespace()
            if peek == closing {
                index += 1
                return elements
            }
            while true {
                elements.append(try element(&self))
                skipWhitespace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(closing, "',' or '\(Character(Unicode.Scalar(closing)))' after a value in \(container)")
                return elements
            }
        }

        mutating func object() throws -> [Member] {
            try elements(closing: UInt8(ascii: "}"), of: "an object") { parser in
                parser.skipWhitespace()
                guard parser.peek == UInt8(ascii: "\"") else { throw parser.failure("expected a key in double quotes") }
                let line = parser.lineNumber(at: parser.index)
                let key = try parser.string()
                parser.skipWhitespace()
                try parser.expect(UInt8(ascii: ":"), "':' after the key")
                return Member(key: key, value: try parser.value(), line: line)
            }
        }

        mutating func array() throws -> [SettingValue] {
            try elements(closing: UInt8(ascii: "]"), of: "an array") { try $0.value() }
        }

        /// A string literal; escapes decoded, and the bytes must be valid UTF-8.
        mutating func string() throws -> String {
            let start = index
            index += 1  // opening quote
            var utf8: [UInt8] = []
            while true {
                guard let b = peek else { throw Failure(offset: start, reason: "a string is not closed") }
                index += 1
                switch b {
                case UInt8(ascii: "\""):
                    let text = String(decoding: utf8, as: UTF8.self)
                    // Invalid UTF-8 decodes with replacement characters, so re-encoding differs.
                    guard Array(text.utf8) == utf8 else {
                        throw Failure(offset: start, reason: "a string is not valid UTF-8")
                    }
                    return text
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { throw Failure(offset: start, reason: "a string is not closed") }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"): utf8 += try unicodeEscape()
                    default: throw Failure(offset: index - 2, reason: "invalid escape in a string")
                    }
                case 0..<0x20:
                    throw Failure(
                        offset: index - 1, reason: "a control character inside a string (write it as an escape)")
                default:
                    utf8.append(b)
                }
            }
        }

        /// The UTF-8 of a \uXXXX escape (after "\u"); a surrogate pair is two escapes.
        mutating func unicodeEscape() throws -> [UInt8] {
            let start = index - 2
            func hex() throws -> UInt32 {
                guard bytes.count - index >= 4 else {
                    throw Failure(offset: start, reason: "a \\u escape needs four hex digits")
                }
                var value: UInt32 = 0
                for b in bytes[index..<index + 4] {
                    let digit: UInt8
                    switch b {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
                    case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
                    default: throw Failure(offset: start, reason: "a \\u escape needs four hex digits")
                    }
                    value = value * 16 + UInt32(digit)
                }
                index += 4
                return value
            }
            var code = try hex()
            if (0xD800...0xDBFF).contains(code) {
                guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                else {
                    throw Failure(offset: start, reason: "a \\u escape of a high surrogate without its low surrogate")
                }
                index += 2
                let low = try hex()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw Failure(offset: start, reason: "a \\u escape of a high surrogate without its low surrogate")
                }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = UnicodeScalar(code) else {
                throw Failure(offset: start, reason: "a \\u escape of a lone low surrogate")
            }
            return Array(String(Character(scalar)).utf8)
        }
    }
}
