// A batch of samples laid out as the model consumes it (NCHW pixels, per-sample masks), and
// opening a directory as whichever dataset it holds.
import Foundation
import Kernels

/// B samples at side S as a model takes them: input [B, 3, S, S], labels [B], box masks [B, 1, S, S]
/// and target masks [B, S, S] (each nil unless every sample has one). The one way samples become a
/// batch: training, validation and these tests all assemble it here.
public struct Batch: Sendable {
    public var indices: [Int]
    public var input: Tensor
    public var labels: [Int]
    public var boxMask: Tensor?
    public var targetMasks: [Float]?

    public var count: Int { labels.count }

    /// `samples[i]` is the sample of `indices[i]`, each at side `side`.
    public init(indices: [Int], samples: [Sample], side: Int) {
        precondition(indices.count == samples.count, "\(indices.count) indices for \(samples.count) samples")
        var pixels = [Float]()
        pixels.reserveCapacity(samples.count * 3 * side * side)
        for sample in samples { pixels += sample.pixels }
        func joined(_ part: (Sample) -> [Float]?) -> [Float]? {
            let parts = samples.map(part)
            return parts.contains { $0 == nil } ? nil : parts.flatMap { $0! }
        }
        self.indices = indices
        input = Tensor(shape: [samples.count, 3, side, side], storage: pixels)
        labels = samples.map(\.label)
        boxMask = joined(\.boxMask).map { Tensor(shape: [samples.count, 1, side, side], storage: $0) }
        targetMasks = joined(\.targetMask)
    }
}

extension Dataset {
    /// A VOC directory when `root/Annotations` exists, otherwise an image folder.
    public static func open(
        root: String, targetClass: String = "triangle", seed: UInt64 = 0, skipBad: Bool = false,
        limits: ImageLimits = .standard
    ) throws -> Dataset {
        if isDirectory((root as NSString).appendingPathComponent("Annotations")) {
            return try voc(root: root, targetClass: targetClass, seed: seed, skipBad: skipBad, limits: limits)
        }
        return try imageFolder(root: root, seed: seed, skipBad: skipBad, limits: limits)
    }
}
