// Named views into the one flat parameter buffer, in the golden README's forward order (explainer.*
// then classifier.*), so each part is one contiguous range and gradients/optimizer state mirror it.

public enum ModelPart: String, Sendable, Codable, CaseIterable {
    case explainer
    case classifier
}

public struct ParameterEntry: Sendable, Equatable {
    /// PyTorch name, e.g. "explainer.dec3.up.weight".
    public let name: String
    /// PyTorch layout: conv [out, in, kh, kw], transposed conv [in, out, 2, 2], dense [out, in].
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

public struct ParameterLayout: Sendable {
    public private(set) var entries: [ParameterEntry] = []
    public private(set) var count = 0
    /// Where classifier.* starts; everything before it is explainer.*.
    public private(set) var classifierStart = 0

    public init(configuration c: ModelConfiguration) {
        let w = c.baseWidth
        func conv(_ name: String, _ cin: Int, _ cout: Int, _ k: Int = 3) {
            add(name + ".weight", [cout, cin, k, k]); add(name + ".bias", [cout])
        }
        conv("explainer.enc1.conv1", 3, w); conv("explainer.enc1.conv2", w, w)
        conv("explainer.enc2.conv1", w, 2 * w); conv("explainer.enc2.conv2", 2 * w, 2 * w)
        conv("explainer.enc3.conv1", 2 * w, 4 * w); conv("explainer.enc3.conv2", 4 * w, 4 * w)
        for (level, cin, cout) in [(3, 4 * w, 4 * w), (2, 4 * w, 2 * w), (1, 2 * w, w)] {
            add("explainer.dec\(level).up.weight", [cin, cout, 2, 2]); add("explainer.dec\(level).up.bias", [cout])
            conv("explainer.dec\(level).conv1", cout, cout); conv("explainer.dec\(level).conv2", cout, cout)
        }
        conv("explainer.head.conv", w, 1, 1)
        add("explainer.head.bn.weight", [1]); add("explainer.head.bn.bias", [1])
        classifierStart = count
        var cin = 3
        for stage in 1...4 {
            let f = w << (stage - 1)
            conv("classifier.stage\(stage).conv1", cin, f); conv("classifier.stage\(stage).conv2", f, f)
            cin = f
        }
        for (name, i, o) in [("fc1", 8 * w, c.hidden), ("fc2", c.hidden, c.hidden), ("out", c.hidden, c.classes)] {
            add("classifier.\(name).weight", [o, i]); add("classifier.\(name).bias", [o])
        }
    }

    private mutating func add(_ name: String, _ shape: [Int]) {
        let entry = ParameterEntry(name: name, shape: shape, offset: count)
        entries.append(entry)
        count += entry.count
    }

    public func entry(named name: String) -> ParameterEntry? { entries.first { $0.name == name } }

    /// Offset of a named parameter; a misspelt name is a programmer error.
    func offset(_ name: String) -> Int {
        guard let e = entry(named: name) else { preconditionFailure("no parameter named \(name)") }
        return e.offset
    }

    public func range(of part: ModelPart) -> Range<Int> {
        part == .explainer ? 0..<classifierStart : classifierStart..<count
    }
}
