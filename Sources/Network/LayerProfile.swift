// Optional wall-clock accounting per layer kind (and per named layer), for the step benchmark; a
// model without one pays only a nil check per layer.
import Dispatch

public enum LayerKind: String, CaseIterable, Sendable {
    case conv3x3, conv1x1, transposedConv, pooling, batchNorm, elementwise, dense, loss, optimizer
}

public final class LayerProfile {
    public private(set) var seconds: [LayerKind: Double] = [:]
    /// Seconds per named layer and direction ("conv3x3 32→32 64² forward"), for the layers that name themselves.
    public private(set) var layers: [String: Double] = [:]
    /// How many calls each named layer's seconds add up (several layers of the model share a shape).
    public private(set) var layerCalls: [String: Int] = [:]

    public init() {}

    public func add(_ kind: LayerKind, seconds s: Double, layer: String? = nil) {
        seconds[kind, default: 0] += s
        if let layer {
            layers[layer, default: 0] += s
            layerCalls[layer, default: 0] += 1
        }
    }

    public func reset() {
        seconds = [:]
        layers = [:]
        layerCalls = [:]
    }

    /// Runs `body` and charges its wall time to `kind` (and to `layer` when given).
    @inline(__always)
    public func measure<T>(_ kind: LayerKind, layer: String? = nil, _ body: () -> T) -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = body()
        add(kind, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9, layer: layer)
        return result
    }
}
