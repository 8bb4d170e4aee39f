// The --config reader on malformed and hostile input: every fault is a message with its line and
// column, never a trap, a hang or a silent guess.
import Foundation
import Testing

@testable import Training

@Suite struct ConfigurationJSONTests {
    func members(_ bytes: [UInt8]) throws -> [ConfigurationJSON.Member] {
        try ConfigurationJSON.members(of: bytes, source: "c.json")
    }

    func refusal(_ text: String) -> String? {
        #expect(throws: TrainingError.self) { try members(Array(text.utf8)) }?.description
    }

    @Test func membersKeepFileOrderLinesAndLiterals() throws {
        let read = try members(
            Array(
                "\u{FEFF}{\n \"a\": 1e1,\r\n\t\"b\" : [true, null, \"x\\u00e9\\ud83d\\ude00\\n\"], \"c\": {\"d\": -0.5}}"
                    .utf8))
        #expect(read.map(\.key) == ["a", "b", "c"])
        #expect(read.map(\.line) == [2, 3, 3])
        #expect(read[0].value == .number("1e1"))
        #expect(read[1].value == .array([.bool(true), .null, .string("xé😀\n")]))
        #expect(read[2].value == .object(count: 1))
    }

    @Test(arguments: [
        ("", "c.json: not valid JSON at line 1, column 1: the file is empty"),
        ("{\"a\": 1,}", "c.json: not valid JSON at line 1, column 9: expected a key in double quotes"),
        ("{\"a\": 1} {}", "c.json: not valid JSON at line 1, column 10: unexpected text after the top-level object"),
        ("{\"a\" 1}", "c.json: not valid JSON at line 1, column 6: expected ':' after the key"),
        ("{\n\"a\": 01}", "c.json: not valid JSON at line 2, column 7: expected ',' or '}' after a value in an object"),
        (
            "{\"a\": .5}",
            "c.json: not valid JSON at line 1, column 7: expected a value (a number, string, true, false, null, array or object)"
        ),
        (
            "{\"a\": 1.}",
            "c.json: not valid JSON at line 1, column 7: expected a value (a number, string, true, false, null, array or object)"
        ),
        (
            "{\"a\": tru}",
            "c.json: not valid JSON at line 1, column 7: expected a value (a number, string, true, false, null, array or object)"
        ),
        ("{\"a\": \"x", "c.json: not valid JSON at line 1, column 7: a string is not closed"),
        (
            "{\"a\": \"\t\"}",
            "c.json: not valid JSON at line 1, column 8: a control character inside a string (write it as an escape)"
        ),
        ("{\"a\": \"\\x\"}", "c.json: not valid JSON at line 1, column 8: invalid escape in a string"),
        ("{\"a\": \"\\u12\"}", "c.json: not valid JSON at line 1, column 8: a \\u escape needs four hex digits"),
        (
            "{\"a\": \"\\ud83d\"}",
            "c.json: not valid JSON at line 1, column 8: a \\u escape of a high surrogate without its low surrogate"
        ),
        ("{\"a\": \"\\ude00\"}", "c.json: not valid JSON at line 1, column 8: a \\u escape of a lone low surrogate"),
        (
            "{\"a\": [1, 2}",
            "c.json: not valid JSON at line 1, column 12: expected ',' or ']' after a value in an array"
        ),
        (
            "{\"a\": NaN}",
            "c.json: not valid JSON at line 1, column 7: expected a value (a number, string, true, false, null, array or object)"
        ),
    ])
    func malformedJSONIsRefusedWithItsPosition(text: String, message: String) {
        #expect(refusal(text) == message)
    }

    @Test func invalidUTF8IsRefused() {
        let bytes: [UInt8] = Array("{\"a\": \"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        let error = #expect(throws: TrainingError.self) { try members(bytes) }
        #expect(error?.description == "c.json: not valid JSON at line 1, column 7: a string is not valid UTF-8")
    }

    @Test func deepNestingIsRefusedWithoutExhaustingTheStack() {
        let deep = "{\"a\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(refusal(deep)?.hasSuffix("nested deeper than 64 levels") == true)
    }

    @Test func aFileBeyondAMegabyteIsRefusedBeforeParsing() {
        let big = [UInt8](repeating: UInt8(ascii: " "), count: (1 << 20) + 1)
        #expect(
            refusal(String(decoding: big, as: UTF8.self))
                == "c.json: larger than 1048576 bytes, too large for a configuration file")
    }

    /// Many keys on many lines: finding each key's line must not rescan the file (quadratic time).
    @Test func manyKeysReadInLinearTime() throws {
        let text = "{" + (0..<50_000).map { "\"k\($0)\": \($0)" }.joined(separator: ",\n") + "}"
        let clock = ContinuousClock()
        let read = try clock.measure { _ = try members(Array(text.utf8)) }
        #expect(read < .seconds(5), "50000 keys took \(read)")
    }

    @Test func messagesEscapeControlCharactersOfTheFile() {
        let unknown = #expect(throws: TrainingError.self) {
            try TrainingSettings(json: Array(#"{"a\u001b[2J": 1}"#.utf8), origin: .file("c.json"))
        }
        #expect(unknown?.description.hasPrefix(#"c.json: unknown key "a\u{1b}[2J" (line 1)"#) == true)
        let error = #expect(throws: TrainingError.self) {
            try TrainingConfiguration().merging(json: Data(#"{"ePooling": "\u0007max"}"#.utf8), source: "c.json")
        }
        #expect(error?.description == #"c.json: ePooling must be avg or max, got "\u{7}max""#)
    }

    /// Random byte edits of a valid file (a fixed-seed stand-in for the fuzzer): each is read or
    /// refused with a message, none traps or hangs.
    @Test func randomEditsOfAConfigAreReadOrRefused() {
        let valid = Array(
            #"{"side": 48, "epochs": [1, 0, 2], "lambdaL1": 1e-6, "dataset": "synthetic:paper-no-colour", "seed": 18446744073709551615, "imageCount": null}"#
                .utf8)
        let alphabet = Array(#"{}[],:"\-+.eE0123456789 tfnu"#.utf8) + [0x00, 0x0A, 0xC3, 0xFF]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var read = 0
        var refused = 0
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0...next(4) {
                let at = next(bytes.count + 1)
                switch next(3) {
                case 0: if at < bytes.count { bytes[at] = alphabet[next(alphabet.count)] }
                case 1: bytes.insert(alphabet[next(alphabet.count)], at: at)
                default: if at < bytes.count { bytes.remove(at: at) }
                }
            }
            do {
                _ = try TrainingSettings(json: bytes, origin: .file("c.json")).applied(to: TrainingConfiguration())
                read += 1
            } catch let error as TrainingError {
                #expect(error.description.hasPrefix("c.json: ") && error.isUsage)
                refused += 1
            } catch {
                Issue.record("unexpected error type: \(error)")
            }
        }
        #expect(read > 0 && refused > 0)
    }

    /// Every prefix of a valid file is refused or read: none traps (a small stand-in for the fuzzer).
    @Test func everyTruncationOfAConfigIsHandled() {
        let text = Array(
            #"{"side": 48, "epochs": [1, 0, 0], "dataset": "synthetic:paper-no-colour", "s\u00e9": -1.5e-3}"#.utf8)
        for end in 0..<text.count {
            _ = try? members(Array(text[0..<end]))
            _ = try? TrainingSettings(json: Array(text[0..<end]), origin: .file("c.json")).applied(
                to: TrainingConfiguration())
        }
    }
}
