// Swift face of the C image code: decode PNG/JPEG files to 8-bit RGB and write PNGs, turning the C
// status codes into DatasetError with the file's path.
import CImage
import Foundation

/// Caps checked against a file's header before any pixel buffer is allocated: a small file can
/// claim a huge image (a 33 KB PNG of 16384² one-bit pixels decodes to 805 MB of RGB).
public struct ImageLimits: Hashable, Sendable {
    /// Longest side decoded at all (JPEG's own maximum is 65500).
    public var maxSide: Int
    /// Most pixels (width × height) decoded per image.
    public var maxPixels: Int

    public init(maxSide: Int = 65_500, maxPixels: Int = ImageLimits.pillowMaxPixels) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
    }

    /// Pillow's MAX_IMAGE_PIXELS (about 9459², 268 MB as RGB): what torchvision users already live with.
    public static let pillowMaxPixels = 89_478_485

    public static let standard = ImageLimits()

    /// The limit for a model that reads side × side inputs: `maxPixels` when the user set one,
    /// otherwise Pillow's default, raised to 1024 times the model's pixels for very large sides. Either
    /// is far beyond what the model needs (1784 × at the default side 224), so only decompression
    /// bombs and mistakes are refused, never a camera photo.
    public static func forModel(side: Int, maxPixels: Int? = nil) -> ImageLimits {
        let clamped = min(max(side, 0), 65_536)  // 1024 · 65536² still fits in 64 bits
        return ImageLimits(maxPixels: maxPixels ?? max(pillowMaxPixels, 1024 * clamped * clamped))
    }
}

/// A decoded image: interleaved 8-bit RGB, (height, width, 3).
public struct DecodedImage: Sendable {
    public let width: Int
    public let height: Int
    public let rgb: [UInt8]
}

public enum ImageCodec {
    public enum Format: Sendable { case png, jpeg }

    /// The format from the file's first bytes (never from its extension).
    public static func format(of path: String) throws -> Format {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DatasetError(path: path, reason: "cannot open file")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        if head.isEmpty { throw DatasetError(path: path, reason: "empty file") }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        throw DatasetError(
            path: path, reason: "not a PNG or JPEG file (unrecognised signature)", summary: "not a PNG or JPEG file")
    }

    /// Decodes a PNG (any depth, gray, palette, alpha) or a JPEG (gray or YCbCr) to RGB.
    public static func decode(path: String, limits: ImageLimits = .standard) throws -> DecodedImage {
        let format = try format(of: path)
        var image = ximg_image()
        var message = [CChar](repeating: 0, count: 512)
        let cLimits = ximg_limits(max_side: UInt32(clamping: limits.maxSide), max_pixels: UInt64(limits.maxPixels))
        let status = message.withUnsafeMutableBufferPointer { buffer in
            switch format {
            case .png: ximg_png_read(path, cLimits, &image, buffer.baseAddress, buffer.count)
            case .jpeg: ximg_jpeg_read(path, cLimits, &image, buffer.baseAddress, buffer.count)
            }
        }
        defer { ximg_image_free(&image) }
        if status == Int32(XIMG_ERR_TOO_LARGE) {
            // The C side leaves the header's dimensions in `image` (no pixels) for this message.
            let width = Int(image.width)
            let height = Int(image.height)
            let why =
                width > limits.maxSide || height > limits.maxSide
                ? "pixels, a side over \(limits.maxSide), the most xcnn decodes"
                : "= \(width * height) pixels, over the limit of \(limits.maxPixels) per image (raise it with --max-image-pixels)"
            throw DatasetError(
                path: path, reason: "header claims \(width)x\(height) \(why)", summary: "image too large")
        }
        try check(status, message, path)
        let width = Int(image.width)
        let height = Int(image.height)
        let rgb = Array(UnsafeBufferPointer(start: image.rgb, count: width * height * 3))
        return DecodedImage(width: width, height: height, rgb: rgb)
    }

    /// Writes a PNG; `channels` is 1 (gray) or 3 (interleaved RGB), one byte per sample.
    /// `bitDepth` 1 (one channel only) writes a bilevel image: any nonzero byte is white, and it
    /// decodes to 0 and 255. Equal pixels and settings give equal bytes.
    public static func writePNG(
        path: String, width: Int, height: Int, channels: Int, bitDepth: Int = 8, pixels: [UInt8],
        compression: PNGCompression = .figures
    ) throws {
        let format = pngFormat(width, height, channels, bitDepth, pixels, compression)
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { buffer in
            pixels.withUnsafeBufferPointer { source in
                ximg_png_write(path, format, source.baseAddress, buffer.baseAddress, buffer.count)
            }
        }
        try check(status, message, path)
    }

    /// The bytes `writePNG` would write, in memory (for data URIs). `name` only labels an error.
    public static func encodePNG(
        width: Int, height: Int, channels: Int, bitDepth: Int = 8, pixels: [UInt8],
        compression: PNGCompression = .figures, name: String = "PNG image"
    ) throws -> [UInt8] {
        let format = pngFormat(width, height, channels, bitDepth, pixels, compression)
        var message = [CChar](repeating: 0, count: 512)
        var buffer: UnsafeMutablePointer<UInt8>?
        var size = 0
        let status = message.withUnsafeMutableBufferPointer { text in
            pixels.withUnsafeBufferPointer { source in
                ximg_png_encode(format, source.baseAddress, &buffer, &size, text.baseAddress, text.count)
            }
        }
        defer { ximg_buffer_free(buffer) }
        try check(status, message, name)
        return Array(UnsafeBufferPointer(start: buffer, count: size))
    }

    private static func pngFormat(
        _ width: Int, _ height: Int, _ channels: Int, _ bitDepth: Int, _ pixels: [UInt8],
        _ compression: PNGCompression
    ) -> ximg_png_format {
        precondition(
            pixels.count == width * height * channels, "pixel count does not match \(width)x\(height)x\(channels)")
        precondition(bitDepth == 8 || (bitDepth == 1 && channels == 1), "bit depth 8, or 1 for one channel")
        return ximg_png_format(
            width: UInt32(width), height: UInt32(height), channels: Int32(channels), bit_depth: Int32(bitDepth),
            level: Int32(compression.level), strategy: compression.strategy.code, filters: compression.filter.mask)
    }

    /// A C status and its NUL-terminated message buffer as a DatasetError for `path`.
    private static func check(_ status: Int32, _ message: [CChar], _ path: String) throws {
        guard status != Int32(XIMG_OK) else { return }
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let summary: String
        switch status {
        case Int32(XIMG_ERR_OPEN): summary = "cannot open file"
        case Int32(XIMG_ERR_UNSUPPORTED): summary = "unsupported image content"
        case Int32(XIMG_ERR_MEMORY): summary = "out of memory"
        case Int32(XIMG_ERR_WRITE): summary = "cannot write file"
        default: summary = "cannot decode image (damaged or truncated)"
        }
        throw DatasetError(path: path, reason: text, summary: summary)
    }
}
