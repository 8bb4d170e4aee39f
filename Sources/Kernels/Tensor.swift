// A dense float tensor at API boundaries: a shape and contiguous row-major storage (NCHW for images).
// Kernels themselves work on raw pointers into preallocated buffers; Tensor is what callers exchange.

public struct Tensor: Sendable, Equatable {
    /// Dimensions, outermost first; images are [N, C, H, W].
    public var shape: [Int]
    /// product(shape) values, last index fastest.
    public var storage: [Float]

    public init(shape: [Int], storage: [Float]) {
        precondition(
            shape.reduce(1, *) == storage.count,
            "Tensor storage holds \(storage.count) values, shape \(shape) needs \(shape.reduce(1, *))")
        self.shape = shape
        self.storage = storage
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, storage: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    public var count: Int { storage.count }
}
