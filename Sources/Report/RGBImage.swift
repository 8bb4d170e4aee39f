// 8-bit RGB pictures for figures and pages: an input image or a map upscaled by whole factors
// (nearest neighbour, so a 1-px outline stays one sharp block), a colour bar, and PNG bytes or a data
// URI of any of them.
import Datasets
import Foundation

/// An 8-bit RGB picture, rows top to bottom, interleaved (H, W, 3).
public struct RGBImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    /// A width × height picture filled with one colour (white by default).
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
        precondition(width > 0 && height > 0, "picture of \(width)×\(height) pixels")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for p in 0..<(width * height) { set(p, fill) }
    }

    /// The smallest whole factor that makes a side-S panel at least `minimum` pixels wide (1 when S is
    /// already that large): 64² maps become 256-px panels, 224² stay 224.
    public static func scale(side: Int, minimum: Int = 224) -> Int { max(1, (minimum + side - 1) / side) }

    /// An image given as [3, S, S] planar RGB in [0, 1] (values outside are clamped), each pixel
    /// repeated `scale` × `scale` times.
    public static func image(planar: [Float], side: Int, scale: Int) -> RGBImage {
        precondition(planar.count == 3 * side * side, "image: \(planar.count) values for [3, \(side), \(side)]")
        let plane = side * side
        func byte(_ v: Float) -> UInt8 { v.isNaN ? 0 : UInt8((min(max(v, 0), 1) * 255).rounded()) }
        return upscaled(side: side, scale: scale) {
            (byte(planar[$0]), byte(planar[plane + $0]), byte(planar[2 * plane + $0]))
        }
    }

    /// A map given as [S, S] values in [0, 1], coloured by `colour` (viridis), each value repeated
    /// `scale` × `scale` times.
    public static func map(
        _ values: [Float], side: Int, scale: Int,
        colour: (Float) -> (UInt8, UInt8, UInt8) = Viridis.color
    ) -> RGBImage {
        precondition(values.count == side * side, "map: \(values.count) values for [\(side), \(side)]")
        return upscaled(side: side, scale: scale) { colour(values[$0]) }
    }

    /// A vertical colour bar, `width` × `height`: 1 at the top row, 0 at the bottom one.
    public static func colourBar(width: Int, height: Int) -> RGBImage {
        var bar = RGBImage(width: width, height: height)
        for y in 0..<height {
            let rgb = Viridis.color(height == 1 ? 1 : Float(height - 1 - y) / Float(height - 1))
            for x in 0..<width { bar.set(y * width + x, rgb) }
        }
        return bar
    }

    /// Copies `other` into this picture with its top-left corner at (x, y); it must fit.
    public mutating func place(_ other: RGBImage, x: Int, y: Int) {
        precondition(x >= 0 && y >= 0 && x + other.width <= width && y + other.height <= height, "picture does not fit")
        for row in 0..<other.height {
            let source = row * other.width * 3
            let destination = ((y + row) * width + x) * 3
            pixels.replaceSubrange(
                destination..<(destination + other.width * 3), with: other.pixels[source..<(source + other.width * 3)])
        }
    }

    /// The PNG file's bytes (equal pixels give equal bytes).
    public func png() throws -> [UInt8] {
        do {
            return try ImageCodec.encodePNG(width: width, height: height, channels: 3, pixels: pixels)
        } catch {
            throw ReportError("PNG of a \(width)×\(height) picture", "\(error)")
        }
    }

    /// A `data:image/png;base64,…` URI, for pages that must open without any other file.
    public func dataURI() throws -> String { "data:image/png;base64," + Data(try png()).base64EncodedString() }

    /// The (r, g, b) at (x, y).
    public func rgb(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    private mutating func set(_ p: Int, _ rgb: (UInt8, UInt8, UInt8)) {
        pixels[3 * p] = rgb.0
        pixels[3 * p + 1] = rgb.1
        pixels[3 * p + 2] = rgb.2
    }

    private static func upscaled(side: Int, scale: Int, _ colour: (Int) -> (UInt8, UInt8, UInt8)) -> RGBImage {
        precondition(side > 0 && scale > 0, "side \(side), scale \(scale)")
        var out = RGBImage(width: side * scale, height: side * scale)
        for y in 0..<(side * scale) {
            for x in 0..<(side * scale) { out.set(y * out.width + x, colour((y / scale) * side + x / scale)) }
        }
        return out
    }
}
