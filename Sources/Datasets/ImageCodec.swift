// Swift face of the C image code: decode PNG/JPEG files to 8-bit RGB and write PNGs, turning the C
// status codes into DatasetError with the file's path.
import CImage
import Foundation

/// Caps checked against a file's header before any pixel buffer is allocated.
public struct ImageLimits: Hashable, Sendable {
    public var maxSide: Int
    public var maxPixels: Int

    public init(maxSide: Int = 16384, maxPixels: Int = 1 << 28) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
    }

    public static let standard = ImageLimits()
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
        throw DatasetError(path: path, reason: "not a PNG or JPEG file (unrecognised signature)")
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
        try check(status, message, path)
        let width = Int(image.width), height = Int(image.height)
        let rgb = Array(UnsafeBufferPointer(start: image.rgb, count: width * height * 3))
        return DecodedImage(width: width, height: height, rgb: rgb)
    }

    /// Writes an 8-bit PNG; `channels` is 1 (gray) or 3 (interleaved RGB). Equal pixels give equal bytes.
    public static func writePNG(path: String, width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        precondition(pixels.count == width * height * channels, "pixel count does not match \(width)x\(height)x\(channels)")
        var message = [CChar](repeating: 0, count: 512)
        let status = message.withUnsafeMutableBufferPointer { buffer in
            pixels.withUnsafeBufferPointer { source in
                ximg_png_write(path, UInt32(width), UInt32(height), Int32(channels), source.baseAddress, buffer.baseAddress, buffer.count)
            }
        }
        try check(status, message, path)
    }

    /// A C status and its NUL-terminated message buffer as a DatasetError for `path`.
    private static func check(_ status: Int32, _ message: [CChar], _ path: String) throws {
        guard status != Int32(XIMG_OK) else { return }
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw DatasetError(path: path, reason: text)
    }
}
