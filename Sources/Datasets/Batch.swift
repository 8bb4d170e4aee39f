// A batch of samples laid out as the trainer consumes it (NCHW pixels, per-sample masks), and
// opening a directory as whichever dataset it holds.
import Foundation

/// B samples at side S: pixels [B, 3, S, S], labels [B], masks [B, S, S] (nil unless every sample
/// has one).
public struct Batch: Sendable {
    public var indices: [Int]
    public var side: Int
    public var pixels: [Float]
    public var labels: [Int]
    public var boxMasks: [Float]?
    public var targetMasks: [Float]?

    public var count: Int { labels.count }

    public init(indices: [Int], side: Int, pixels: [Float], labels: [Int], boxMasks: [Float]? = nil, targetMasks: [Float]? = nil) {
        self.indices = indices
        self.side = side
        self.pixels = pixels
        self.labels = labels
        self.boxMasks = boxMasks
        self.targetMasks = targetMasks
    }
}

extension Dataset {
    /// Loads `indices` (e.g. one `Sharding.batch`) in order into one batch.
    public func loadBatch(_ indices: [Int], side: Int) throws -> Batch {
        let samples = try indices.map { try load(index: $0, side: side) }
        func joined(_ part: (Sample) -> [Float]?) -> [Float]? {
            let parts = samples.map(part)
            return parts.contains { $0 == nil } ? nil : parts.flatMap { $0! }
        }
        return Batch(indices: indices, side: side, pixels: samples.flatMap(\.pixels), labels: samples.map(\.label),
                     boxMasks: joined(\.boxMask), targetMasks: joined(\.targetMask))
    }

    /// A VOC directory when `root/Annotations` exists, otherwise an image folder.
    public static func open(root: String, targetClass: String = "triangle", seed: UInt64 = 0, skipBad: Bool = false,
                            limits: ImageLimits = .standard) throws -> Dataset {
        if isDirectory((root as NSString).appendingPathComponent("Annotations")) {
            return try voc(root: root, targetClass: targetClass, seed: seed, skipBad: skipBad, limits: limits)
        }
        return try imageFolder(root: root, seed: seed, skipBad: skipBad, limits: limits)
    }
}
