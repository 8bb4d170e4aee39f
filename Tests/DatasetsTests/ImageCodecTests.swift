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
        for filter in strategy == .runs ? [.none] : PNGCompression.Filter.allCases {
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

    /// Pixels made of runs of random lengths (1 to 600, so longer than deflate's 258 and across
    /// rows) of random bytes, all 256 values included.
    static func runs(count: Int, random: inout SeededRandom) -> [UInt8] {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(count)
        while pixels.count < count {
            let value = UInt8(random.below(256))
            let length = random.below(4) == 0 ? random.integer(in: 1...600) : random.integer(in: 1...5)
            pixels += repeatElement(value, count: min(length, count - pixels.count))
        }
        return pixels
    }

    /// xcnn's own deflate writer checked by another inflater: Python's zlib verifies every chunk's
    /// CRC and the stream's Adler-32, and the scanlines must be the pixels (filter 0 on every row);
    /// libpng must decode them too.
    @Test func runLengthPNGsAreValidForZlibAndLibpng() throws {
        let directory = try TestSupport.scratch("png-runs")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var random = SeededRandom(seed: 11)
        var cases: [(width: Int, height: Int, channels: Int, bitDepth: Int)] = [
            (1, 1, 3, 8), (1, 1, 1, 1), (300, 7, 3, 8), (257, 3, 1, 8), (45, 9, 1, 1), (224, 224, 3, 8),
        ]
        for _ in 0..<20 {
            let channels = random.below(2) == 0 ? 1 : 3
            cases.append(
                (
                    random.integer(in: 1...90), random.integer(in: 1...40), channels,
                    channels == 1 && random.below(2) == 0 ? 1 : 8
                ))
        }
        for (number, shape) in cases.enumerated() {
            let pixels = Self.runs(count: shape.width * shape.height * shape.channels, random: &random)
            let path = directory + "/\(number).png"
            try ImageCodec.writePNG(
                path: path, width: shape.width, height: shape.height, channels: shape.channels,
                bitDepth: shape.bitDepth,
                pixels: pixels, compression: PNGCompression(level: 1, strategy: .runs, filter: .none))
            let expected = shape.bitDepth == 1 ? pixels.map { $0 == 0 ? 0 : 1 } : pixels
            try Data(expected).write(to: URL(fileURLWithPath: directory + "/\(number).raw"))
            let decoded = try ImageCodec.decode(path: path)
            let grey = shape.bitDepth == 1 ? expected.map { $0 * 255 } : pixels
            #expect(decoded.rgb == (shape.channels == 3 ? pixels : grey.flatMap { [$0, $0, $0] }), "case \(number)")
        }
        let script = """
            import struct, sys, zlib
            root, count = sys.argv[1], int(sys.argv[2])
            for n in range(count):
                data = open("%s/%d.png" % (root, n), "rb").read()
                assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n", n
                pos, idat = 8, b""
                while pos < len(data):
                    size, kind = struct.unpack(">I4s", data[pos:pos + 8])
                    body = data[pos + 8:pos + 8 + size]
                    assert struct.unpack(">I", data[pos + 8 + size:pos + 12 + size])[0] == zlib.crc32(kind + body), (n, kind)
                    if kind == b"IHDR": width, height, depth, colour = struct.unpack(">IIBB", body[:10])
                    if kind == b"IDAT": idat += body
                    pos += 12 + size
                lines = zlib.decompress(idat)  # raises on a wrong Adler-32
                channels = 3 if colour == 2 else 1
                row = (width * channels * depth + 7) // 8
                assert len(lines) == (row + 1) * height and all(lines[y * (row + 1)] == 0 for y in range(height)), n
                raw = open("%s/%d.raw" % (root, n), "rb").read()
                if depth == 1:
                    bits = [(lines[y * (row + 1) + 1 + x // 8] >> (7 - x % 8)) & 1 for y in range(height) for x in range(width)]
                    assert bytes(bits) == raw, n
                else:
                    assert b"".join(lines[y * (row + 1) + 1:(y + 1) * (row + 1)] for y in range(height)) == raw, n
            print("ok", count)
            """
        let (status, output) = try TestSupport.python(script, [directory, String(cases.count)])
        #expect(status == 0 && output == "ok \(cases.count)\n", "\(output)")
    }
}
