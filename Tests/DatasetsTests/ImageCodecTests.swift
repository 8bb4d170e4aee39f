// Decoding every PNG colour type and depth and JPEG variant to 8-bit RGB.
import Datasets
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
}
