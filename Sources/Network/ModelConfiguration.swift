// The options that fix the model's shape (SPEC §1): input side, widths, classes, dropout, E pooling.

/// How E is downsampled between classifier stages: 2×2 average (authors' 2020 code) or max (2019).
public enum EPooling: String, Codable, Sendable, CaseIterable {
    case average = "avg"
    case max
}

public struct ModelConfiguration: Codable, Sendable, Equatable {
    /// Input side S (images are S×S RGB); a positive multiple of 16.
    public var side: Int
    /// Filters of the first stage w; stages use w, 2w, 4w (explainer) and up to 8w (classifier).
    public var baseWidth: Int
    public var classes: Int
    /// Width H of the classifier's two hidden dense layers.
    public var hidden: Int
    /// Dropout rate after each hidden dense layer, in training only.
    public var dropout: Float
    public var ePooling: EPooling

    public init(side: Int = 224, baseWidth: Int = 32, classes: Int = 2, hidden: Int = 128,
                dropout: Float = 0.3, ePooling: EPooling = .average) {
        self.side = side
        self.baseWidth = baseWidth
        self.classes = classes
        self.hidden = hidden
        self.dropout = dropout
        self.ePooling = ePooling
    }

    /// Throws naming the first option out of range.
    public func validate() throws(NetworkError) {
        if side <= 0 || side % 16 != 0 { throw NetworkError("configuration.side", "\(side) is not a positive multiple of 16") }
        if baseWidth < 1 { throw NetworkError("configuration.baseWidth", "\(baseWidth) is below 1") }
        if classes < 2 { throw NetworkError("configuration.classes", "\(classes) is below 2") }
        if hidden < 1 { throw NetworkError("configuration.hidden", "\(hidden) is below 1") }
        if !(dropout >= 0 && dropout < 1) { throw NetworkError("configuration.dropout", "\(dropout) is not in [0, 1)") }
    }
}
