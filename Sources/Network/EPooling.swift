// How E reaches the coarser classifier stages: E_K = 2×2 pooling of E_{K−1}; one choice, forward and
// backward dispatched here so that the model and the attribution graph pool alike.
import Kernels

/// How E is downsampled between classifier stages: 2×2 average (authors' 2020 code) or max (2019).
public enum EPooling: String, Codable, Sendable, CaseIterable {
    case average = "avg"
    case max

    /// y[P, side/2, side/2] = the 2×2 pooling of x[P, side, side] (overwrites y).
    public func forward(
        input x: UnsafePointer<Float>, planes p: Int, side: Int, output y: UnsafeMutablePointer<Float>
    ) {
        switch self {
        case .average: Pooling.averageForward(input: x, planes: p, height: side, width: side, output: y)
        case .max: Pooling.maxForward(input: x, planes: p, height: side, width: side, output: y)
        }
    }

    /// dx[P, side, side] += dy routed back through the pooling (accumulates); x is the forward input
    /// (max pooling routes to each block's first maximum; average pooling does not read it).
    public func backward(
        input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>, planes p: Int, side: Int,
        dInput dx: UnsafeMutablePointer<Float>
    ) {
        switch self {
        case .average: Pooling.averageBackward(dOutput: dy, planes: p, height: side, width: side, dInput: dx)
        case .max: Pooling.maxBackward(input: x, dOutput: dy, planes: p, height: side, width: side, dInput: dx)
        }
    }
}
