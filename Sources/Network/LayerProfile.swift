// Optional wall-clock accounting per layer kind, for the step benchmark; a model without one pays
// only a nil check per layer.
import Dispatch

public enum LayerKind: String, CaseIterable, Sendable {
    case conv3x3, conv1x1, transposedConv, pooling, batchNorm, elementwise, dense, loss, optimizer
}

public final class LayerProfile {
    public private(set) var seconds: [LayerKind: Double] = [:]

    public init() {}

    public func add(_ kind: LayerKind, seconds s: Double) { seconds[kind, default: 0] += s }

    public func reset() { seconds = [:] }

    /// Runs `body` and charges its wall time to `kind`.
    @inline(__always)
    public func measure<T>(_ kind: LayerKind, _ body: () -> T) -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = body()
        add(kind, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        return result
    }
}
