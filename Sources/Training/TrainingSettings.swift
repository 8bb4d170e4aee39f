// Configuration values as given — by flags, by a --config file, by a checkpoint — before they are
// applied. One type for all three, read through one set of rules (ConfigurationKey), so a value is
// refused with the same words wherever it came from, naming the flag or the file and key.
import Foundation

public struct TrainingSettings: Sendable {
    public enum Origin: Equatable, Sendable {
        case flags
        /// A --config file, by its path.
        case file(String)
        /// The configuration stored in a checkpoint, by the checkpoint's path.
        case checkpoint(String)
    }

    public struct Setting: Equatable, Sendable {
        public let key: String
        public let value: SettingValue
        public let origin: Origin
    }

    /// At most one setting per key, in the order they apply.
    public private(set) var settings: [Setting] = []

    public init() {}

    /// Flag values by key (camel case); nil: the flag was not given.
    public init(flags: [(key: String, text: String?)]) {
        for (key, text) in flags {
            guard let text else { continue }
            precondition(ConfigurationKey.named(key) != nil, "no configuration key \(key)")
            settings.append(Setting(key: key, value: .flag(text), origin: .flags))
        }
    }

    /// The keys of a JSON object. Refuses invalid JSON, a key given twice and unknown keys, each
    /// by name; values are checked when applied.
    public init(json: [UInt8], origin: Origin) throws {
        let source = Self.sourceName(origin)
        let known = ConfigurationKey.all.map(\.name)
        let members: [ConfigurationJSON.Member]
        do { members = try ConfigurationJSON.members(of: json, source: source) } catch let error as TrainingError {
            throw Self.refusal(error.description, origin)
        }
        for member in members {
            guard known.contains(member.key) else {
                let key = SettingValue.clipped(member.key)
                let near = Self.nearest(member.key, among: known).map { "did you mean \"\($0)\"? " } ?? ""
                throw Self.refusal(
                    "\(source): unknown key \"\(key)\" (line \(member.line)); \(near)known keys: \(known.joined(separator: ", "))",
                    origin)
            }
            settings.append(Setting(key: member.key, value: member.value, origin: origin))
        }
    }

    /// A --config file: at most one byte past the size limit is read, so a huge file (or a device
    /// such as /dev/zero) is refused by its size instead of filling the memory.
    public init(configFile path: String) throws {
        let origin = Origin.file(path)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw Self.refusal("--config \(path): cannot open the file: \(String(cString: strerror(errno)))", origin)
        }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: ConfigurationJSON.maximumBytes + 1)
        var count = 0
        while count < bytes.count {
            let result = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if result < 0 && errno == EINTR { continue }
            guard result >= 0 else {
                throw Self.refusal(
                    "--config \(path): cannot read the file: \(String(cString: strerror(errno)))", origin)
            }
            if result == 0 { break }
            count += result
        }
        try self.init(json: Array(bytes[0..<count]), origin: origin)
    }

    public var keys: [String] { settings.map(\.key) }

    public func value(of key: String) -> Setting? { settings.first { $0.key == key } }

    /// These settings over `lower`: a key given in both takes this value.
    public func overriding(_ lower: TrainingSettings) -> TrainingSettings {
        var merged = TrainingSettings()
        merged.settings = lower.settings.filter { setting in !settings.contains { $0.key == setting.key } } + settings
        return merged
    }

    /// `base` with every setting applied; the first value that breaks its key's rule is refused
    /// naming where it came from: "--seed must be …, got -1" or "c.json: seed must be …, got -1".
    public func applied(to base: TrainingConfiguration) throws -> TrainingConfiguration {
        // The two forms of the L1 weight from one source would leave which one applies to their order.
        for origin in Set(settings.map { Self.sourceName($0.origin) }) {
            let forms = settings.filter {
                Self.sourceName($0.origin) == origin && ["lambdaL1", "lambdaL1PerPixel"].contains($0.key)
            }
            if forms.count > 1 {
                throw Self.refusal(
                    "\(Self.label(ConfigurationKey.named("lambdaL1")!, forms[0].origin)) and "
                        + "\(Self.label(ConfigurationKey.named("lambdaL1PerPixel")!, forms[0].origin)) are two forms of one weight; give one",
                    forms[0].origin)
            }
        }
        var configuration = base
        for setting in settings {
            let key = ConfigurationKey.named(setting.key)!
            guard key.store(&configuration, setting.value) else {
                throw Self.refusal(
                    "\(Self.label(key, setting.origin)) must be \(key.requirement), got \(setting.value.shown)",
                    setting.origin)
            }
        }
        // A chosen optimizer without a learning rate gets its own default, not the previous one's.
        if keys.contains("optimizer") && !keys.contains("learningRate") {
            configuration.learningRate = configuration.optimizer.defaultLearningRates
        }
        return configuration
    }

    /// A wrong flag or --config file is the user's command (usage, exit 64); a wrong configuration
    /// in a checkpoint is a damaged file.
    static func refusal(_ text: String, _ origin: Origin) -> TrainingError {
        if case .checkpoint = origin { return TrainingError(text) }
        return TrainingError.usage(text)
    }

    /// How messages name a key from an origin: "--lambda-l1", "c.json: lambdaL1".
    static func label(_ key: ConfigurationKey, _ origin: Origin) -> String {
        origin == .flags ? "--\(key.flag)" : "\(sourceName(origin)): \(key.name)"
    }

    static func sourceName(_ origin: Origin) -> String {
        switch origin {
        case .flags: return "flags"
        case .file(let path): return path
        case .checkpoint(let path): return "configuration in \(path)"
        }
    }

    /// The known key closest to a mistyped one (edit distance at most 2), if any.
    static func nearest(_ key: String, among known: [String]) -> String? {
        guard key.count <= 64 else { return nil }
        let typed = Array(key.lowercased())
        func distance(_ other: String) -> Int {
            let b = Array(other.lowercased())
            var previous = Array(0...b.count)
            for (i, x) in typed.enumerated() {
                var current = [i + 1] + Array(repeating: 0, count: b.count)
                for (j, y) in b.enumerated() {
                    current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
                }
                previous = current
            }
            return previous[b.count]
        }
        return known.map { ($0, distance($0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }
}
