// Decoding every PNG colour type and depth and JPEG variant to 8-bit RGB, and bilinear resizing.
import Datasets
import Testing

@Suite struct ImageDecodingTests {
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
        if isGray { #expect(stride(from: 0, to: image.rgb.count, by: 3).allSatisfy { image.rgb[$0] == image.rgb[$0 + 1] }) }
    }

    @Test func resizingKeepsAConstantImageConstantAndSameSizeExact() {
        let constant = [UInt8](repeating: 51, count: 13 * 9 * 3)
        let resized = ImageResize.bilinear(rgb: constant, width: 13, height: 9, side: 16)
        #expect(resized.count == 3 * 16 * 16)
        #expect(resized.allSatisfy { abs($0 - 0.2) < 1e-6 })  // 51/255 = 0.2, float rounding only
        let ramp: [UInt8] = (0..<4 * 4).flatMap { p -> [UInt8] in [UInt8(p * 10), 0, 255] }
        let same = ImageResize.bilinear(rgb: ramp, width: 4, height: 4, side: 4)
        #expect(same[5] == 50.0 / 255 && same[16 + 5] == 0 && same[32 + 5] == 1)
    }

    @Test func bilinearUpscaleInterpolatesBetweenPixelCentres() {
        // Two pixels 0 and 200 across, upscaled to 4: centres at 0.25 and 0.75 of a source pixel
        // (align_corners = false) give 0, 50, 150, 200 — the edges clamp.
        let rgb: [UInt8] = [0, 0, 0, 200, 200, 200, 0, 0, 0, 200, 200, 200]
        let resized = ImageResize.bilinear(rgb: rgb, width: 2, height: 2, side: 4)
        #expect(Array(resized[0..<4]).map { ($0 * 255).rounded() } == [0, 50, 150, 200])
    }

    @Test func boxMaskCoversTheScaledBox() {
        let mask = ImageResize.boxMask([PixelBox(xmin: 3, ymin: 1, xmax: 4, ymax: 2)], width: 8, height: 8, side: 4)
        // Columns 2–3 and rows 0–1 of 8 are columns 1 and row 0 of 4.
        #expect(mask == [0, 1, 0, 0] + [Float](repeating: 0, count: 12))
    }
}
