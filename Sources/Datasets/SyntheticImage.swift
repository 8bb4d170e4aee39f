// One generated image with everything the generator knows about it: pixels, label, shapes, mask.

/// A box in VOC convention: 1-based, inclusive pixel coordinates (pixel column x is x + 1).
public struct PixelBox: Hashable, Sendable {
    public var xmin: Int, ymin: Int, xmax: Int, ymax: Int

    public init(xmin: Int, ymin: Int, xmax: Int, ymax: Int) {
        self.xmin = xmin
        self.ymin = ymin
        self.xmax = xmax
        self.ymax = ymax
    }
}

/// One `<object>` of an annotation.
public struct AnnotatedObject: Hashable, Sendable {
    public var name: String
    public var box: PixelBox
    /// Cut by the image border.
    public var truncated: Bool

    public init(name: String, box: PixelBox, truncated: Bool) {
        self.name = name
        self.box = box
        self.truncated = truncated
    }
}

/// A generated image. Pixels are 8-bit so that the in-memory image and the PNG written from it are
/// the same numbers.
public struct SyntheticImage: Sendable {
    public let index: Int
    /// The VOC id (file stem), zero-padded.
    public let id: String
    public let side: Int
    /// Interleaved RGB, rows top to bottom: (side, side, 3).
    public let rgb: [UInt8]
    /// 1 when the target is present, else 0.
    public let label: Int
    /// Every drawn shape in drawing order, with tight boxes measured on the rendered outline.
    public let objects: [AnnotatedObject]
    /// The target shapes filled (255) on 0, (side, side); all zero in a negative image.
    public let targetMask: [UInt8]
    /// Name of the target class, to pick its objects out of `objects`.
    public let targetName: String

    /// Pixels as Float in [0, 1], planar [3, side, side] (one NCHW image).
    public var pixels: [Float] { Self.planar(rgb: rgb, side: side) }

    /// The target mask as Float 0/1, [side, side].
    public var targetMaskValues: [Float] { targetMask.map { $0 == 0 ? 0 : 1 } }

    public var targetBoxes: [PixelBox] { objects.filter { $0.name == targetName }.map(\.box) }

    /// Interleaved 8-bit RGB (H, W, 3) to planar Float [3, H, W] in [0, 1].
    static func planar(rgb: [UInt8], side: Int) -> [Float] {
        let plane = side * side
        var out = [Float](repeating: 0, count: 3 * plane)
        out.withUnsafeMutableBufferPointer { dst in
            rgb.withUnsafeBufferPointer { src in
                for p in 0..<plane {
                    dst[p] = Float(src[3 * p]) / 255
                    dst[plane + p] = Float(src[3 * p + 1]) / 255
                    dst[2 * plane + p] = Float(src[3 * p + 2]) / 255
                }
            }
        }
        return out
    }
}
