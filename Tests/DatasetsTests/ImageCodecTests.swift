// Decoding every PNG colour type and depth and JPEG variant to 8-bit RGB; writing PNGs at every
// compression setting and as 1-bit masks, read back exactly.
import Datasets
import Foundation
import Testing

@Suite struct ImageCodecTests {
    /// The pattern scripts/make-dataset-fixtures.py writes into every good fixture (7 × 5).
    static let width = 7, height = 5
    static func rgb(_ x: Int, _ y: Int) -> [UInt8] { [UInt8(x * 30), UInt8(y * 50), UInt8((x + y) * 10)] }
    static func gray(_ x: Int, _ y: Int) -> [UInt8] { Array(repeating: UInt8(x * 30 + y * 10), count: 3) }

    static func expected(_ pixel: (Int, Int) -> [UInt8]) -> [UInt8] {
        (0..<height).flatMap { y in (0..<width).flatMap { x in pixel(x, y) } }
    }

    @Test(arguments: ["rgb.png", "rgb16.png", "rgba.png", "palette.png"])
    func colourPNGsDecodeExactlyToRGB(file: String) throws {
        let image = try ImageCodec.decode(path: TestSupport.good(file))
        #expect(image.width == Self.width && image.height == Self.height)
        #expect(image.rgb == Self.expected(Self.rgb))
    }

    @Test(arguments: ["gray.png", "gray16.png", "gray-alpha.png"])
    func grayPNGsBecomeThreeEqualChannels(file: String) throws {
        let image = try ImageCodec.decode(path: TestSupport.good(file))
        #expect(image.rgb == Self.expected(Self.gray))
    }

    @Test func oneBitGrayExpandsToFullRange() throws {
        let image = try ImageCodec.decode(path: TestSupport.good("gray1.png"))
        #expect(image.rgb == Self.expected { x, y in Array(repeating: (x + y) % 2 == 1 ? 255 : 0, count: 3) })
    }

    @Test(arguments: [("rgb.jpg", false), ("progressive.jpg", false), ("gray.jpeg", true)])
    func jpegsDecodeCloseToTheirSource(file: String, isGray: Bool) throws {
        let image = try ImageCodec.decode(path: TestSupport.good(file))
        let reference = Self.expected(isGray ? Self.gray : Self.rgb)
        #expect(image.width == Self.width && image.height == Self.height)
        // Quality 95 on a 7×5 ramp with 4:2:0 chroma: the colour channels blur by up to ~25 levels
        // near the ramp's steep edges, so compare the mean error, which stays a few levels.
        let meanError = zip(image.rgb, reference).map { abs(Int($0) - Int($1)) }.reduce(0, +) / reference.count
        #expect(meanError <= 8)
        if isGray {
            #expect(stride(from: 0, to: image.rgb.count, by: 3).allSatisfy { image.rgb[$0] == image.rgb[$0 + 1] })
        }
    }

    @Test(arguments: PNGCompression.Strategy.allCases)
    func everyCompressionSettingReadsBackExactly(strategy: PNGCompression.Strategy) throws {
        let rgb = Self.expected(Self.rgb)
        for filter in PNGCompression.Filter.allCases {
            for level in [0, 1, 6, 9] {
                let compression = PNGCompression(level: level, strategy: strategy, filter: filter)
                let directory = try TestSupport.scratch("png-settings")
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let path = directory + "/a.png"
                try ImageCodec.writePNG(
                    path: path, width: Self.width, height: Self.height, channels: 3, pixels: rgb,
                    compression: compression)
                #expect(try ImageCodec.decode(path: path).rgb == rgb, "\(compression)")
                let inMemory = try ImageCodec.encodePNG(
                    width: Self.width, height: Self.height, channels: 3, pixels: rgb, compression: compression)
                #expect(inMemory == [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), "\(compression)")
            }
        }
    }

    /// Widths around whole bytes: the last byte of a row is partly padding.
    @Test(arguments: [1, 7, 8, 9, 45])
    func oneBitMasksWriteAndReadBackAsZeroAnd255(width: Int) throws {
        let height = 3
        let mask = (0..<(width * height)).map { UInt8(($0 * 7) % 3 == 0 ? 255 : ($0 % 5 == 0 ? 1 : 0)) }
        let directory = try TestSupport.scratch("png-mask")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/m.png"
        try ImageCodec.writePNG(
            path: path, width: width, height: height, channels: 1, bitDepth: 1, pixels: mask, compression: .dataset)
        let decoded = try ImageCodec.decode(path: path)
        // Any nonzero byte is a set pixel, which reads back as 255 in all three channels.
        #expect(decoded.rgb == mask.flatMap { Array(repeating: $0 == 0 ? 0 : 255, count: 3) })
    }
}
