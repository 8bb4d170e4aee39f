// Named views into the one flat parameter buffer, in the golden README's forward order (explainer.*
// then classifier.*), so each part is one contiguous range and gradients/optimizer state mirror it.
// The entries are the ones ModelPlan declares while it describes the network; nothing here repeats it.

public enum ModelPart: String, Sendable, Codable, CaseIterable {
    case explainer
    case classifier
}

/// How `JointModel.initialize` fills a parameter tensor (Keras' defaults, SPEC §1).
public enum ParameterInitialization: Sendable, Equatable {
    /// Uniform in ±sqrt(6/(fan_in + fan_out)), fans = the first two dimensions × kernel area.
    case glorotUniform
    case constant(Float)
}

public struct ParameterEntry: Sendable, Equatable {
    /// PyTorch name, e.g. "explainer.dec3.up.weight".
    public let name: String
    /// PyTorch layout: conv [out, in, kh, kw], transposed conv [in, out, 2, 2], dense [out, in].
    public let shape: [Int]
    public let offset: Int
    public let part: ModelPart
    public let initialization: ParameterInitialization
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

public struct ParameterLayout: Sendable {
    public let entries: [ParameterEntry]
    public let count: Int
    /// Where classifier.* starts; everything before it is explainer.*.
    public let classifierStart: Int

    public init(configuration: ModelConfiguration) {
        self = ModelPlan(configuration: configuration, batchCapacity: 1).layout
    }

    /// Entries declared in order, each starting where the one before ends.
    init(entries: [ParameterEntry]) {
        self.entries = entries
        count = entries.last.map { $0.offset + $0.count } ?? 0
        classifierStart = entries.first { $0.part == .classifier }?.offset ?? count
    }

    public func entry(named name: String) -> ParameterEntry? { entries.first { $0.name == name } }

    public func range(of part: ModelPart) -> Range<Int> {
        part == .explainer ? 0..<classifierStart : classifierStart..<count
    }
}

/// One batch-norm statistic in the model's buffers (JointModel.buffers): a running mean or variance,
/// [C], named as PyTorch names the buffer ("explainer.head.bn.running_var").
public struct BufferEntry: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    /// What `JointModel.initialize` writes: 0 for a mean, 1 for a variance (PyTorch's start).
    public let initial: Float
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}
