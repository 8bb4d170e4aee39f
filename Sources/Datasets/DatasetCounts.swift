// How many images are positive and negative, and how many shapes of each class a generated set holds.

public struct DatasetCounts: Hashable, Sendable, CustomStringConvertible {
    public var images = 0
    public var positives = 0
    public var negatives = 0
    /// Objects per class name over all images.
    public var shapes: [String: Int] = [:]
    /// Images containing at least one object of each class.
    public var imagesWithClass: [String: Int] = [:]
    /// Objects cut by the border.
    public var truncated = 0

    public init() {}

    /// Counts a whole generated set (renders every image: use it offline, not per step).
    public init(generator: SyntheticGenerator) {
        self.init()
        for index in 0..<generator.count { add(generator.image(at: index)) }
    }

    public mutating func add(_ image: SyntheticImage) {
        images += 1
        if image.label == 1 { positives += 1 } else { negatives += 1 }
        for object in image.objects {
            shapes[object.name, default: 0] += 1
            if object.truncated { truncated += 1 }
        }
        for name in Set(image.objects.map(\.name)) { imagesWithClass[name, default: 0] += 1 }
    }

    /// Adds the counts of another part of the set (a rank's or a thread's share).
    public mutating func add(_ other: DatasetCounts) {
        images += other.images
        positives += other.positives
        negatives += other.negatives
        truncated += other.truncated
        shapes.merge(other.shapes, uniquingKeysWith: +)
        imagesWithClass.merge(other.imagesWithClass, uniquingKeysWith: +)
    }

    public var description: String {
        let perClass = shapes.keys.sorted().map { "\($0): \(shapes[$0]!) shapes in \(imagesWithClass[$0] ?? 0) images" }
        return "\(images) images, \(positives) positive, \(negatives) negative; " + perClass.joined(separator: "; ")
            + "; \(truncated) truncated"
    }
}
