// An 8-bit RGB colour for backgrounds and outlines, parsed from `#rrggbb` or a few names.

public struct Colour: Hashable, Sendable, CustomStringConvertible {
    public var red: UInt8, green: UInt8, blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let black = Colour(red: 0, green: 0, blue: 0)
    public static let white = Colour(red: 255, green: 255, blue: 255)
    public static let red = Colour(red: 255, green: 0, blue: 0)
    public static let green = Colour(red: 0, green: 255, blue: 0)
    public static let blue = Colour(red: 0, green: 0, blue: 255)
    public static let yellow = Colour(red: 255, green: 255, blue: 0)

    private static let named: [String: Colour] = [
        "black": .black, "white": .white, "red": .red, "green": .green, "blue": .blue, "yellow": .yellow,
    ]

    /// `#rrggbb`, `rrggbb` or one of black, white, red, green, blue, yellow.
    public init?(_ text: String) {
        let lower = text.lowercased()
        if let colour = Self.named[lower] {
            self = colour
            return
        }
        let hex = lower.hasPrefix("#") ? String(lower.dropFirst()) : lower
        guard hex.count == 6, let value = UInt32(hex, radix: 16) else { return nil }
        self.init(red: UInt8(value >> 16), green: UInt8((value >> 8) & 0xFF), blue: UInt8(value & 0xFF))
    }

    public var description: String {
        "#" + [red, green, blue].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Components in [0, 1] in RGB order, for blending.
    var unit: (Double, Double, Double) { (Double(red) / 255, Double(green) / 255, Double(blue) / 255) }
}

/// Stored as "#rrggbb".
extension Colour: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let colour = Colour(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a colour: '\(text)'")
        }
        self = colour
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
