// Bilinear resizing of decoded images to the model's square side, and mask rasterising at that side.

public enum ImageResize {
    /// Interleaved 8-bit RGB (height, width, 3) to planar Float [3, side, side] in [0, 1], bilinear
    /// with pixel centres aligned (align_corners = false, as PIL and torch); edges clamp.
    public static func bilinear(rgb: [UInt8], width: Int, height: Int, side: Int) -> [Float] {
        precondition(rgb.count == width * height * 3 && side > 0, "pixel count does not match \(width)x\(height)x3")
        if width == side && height == side { return SyntheticImage.planar(rgb: rgb, side: side) }
        let xs = taps(source: width, target: side)
        let ys = taps(source: height, target: side)
        let plane = side * side
        var out = [Float](repeating: 0, count: 3 * plane)
        rgb.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (row, y) in ys.enumerated() {
                    let top = y.low * width * 3
                    let bottom = y.high * width * 3
                    for (column, x) in xs.enumerated() {
                        let left = x.low * 3
                        let right = x.high * 3
                        for channel in 0..<3 {
                            let a = Float(src[top + left + channel])
                            let b = Float(src[top + right + channel])
                            let c = Float(src[bottom + left + channel])
                            let d = Float(src[bottom + right + channel])
                            let upper = a + (b - a) * x.weight
                            let lower = c + (d - c) * x.weight
                            dst[channel * plane + row * side + column] = (upper + (lower - upper) * y.weight) / 255
                        }
                    }
                }
            }
        }
        return out
    }

    /// Nearest-neighbour resize of one 8-bit channel taken from interleaved RGB, as 0/1 (> 127 is 1):
    /// masks must stay binary.
    public static func nearestMask(rgb: [UInt8], width: Int, height: Int, side: Int) -> [Float] {
        var out = [Float](repeating: 0, count: side * side)
        for row in 0..<side {
            let y = min(height - 1, (row * height + height / 2) / side)
            for column in 0..<side {
                let x = min(width - 1, (column * width + width / 2) / side)
                out[row * side + column] = rgb[3 * (y * width + x)] > 127 ? 1 : 0
            }
        }
        return out
    }

    /// 1 inside any of `boxes` (VOC 1-based inclusive, in a width × height image) at `side`:
    /// a target pixel is inside when its centre falls within the scaled box.
    public static func boxMask(_ boxes: [PixelBox], width: Int, height: Int, side: Int) -> [Float] {
        var out = [Float](repeating: 0, count: side * side)
        let sx = Double(side) / Double(width)
        let sy = Double(side) / Double(height)
        for box in boxes {
            let columns = span(Double(box.xmin - 1) * sx, Double(box.xmax) * sx, side)
            let rows = span(Double(box.ymin - 1) * sy, Double(box.ymax) * sy, side)
            for row in rows { for column in columns { out[row * side + column] = 1 } }
        }
        return out
    }

    /// Pixels whose centres j + 0.5 lie in [low, high].
    private static func span(_ low: Double, _ high: Double, _ side: Int) -> Range<Int> {
        let first = max(0, Int((low - 0.5).rounded(.up)))
        let last = min(side - 1, Int((high - 0.5).rounded(.down)))
        return first <= last ? first..<(last + 1) : 0..<0
    }

    /// For each target pixel, the two source pixels and the weight of the second.
    private static func taps(source: Int, target: Int) -> [(low: Int, high: Int, weight: Float)] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { i in
            let position = max(0, (Double(i) + 0.5) * scale - 0.5)
            let low = min(source - 1, Int(position))
            return (low, min(source - 1, low + 1), Float(position - Double(low)))
        }
    }
}
