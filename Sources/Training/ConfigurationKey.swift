// The one set of rules for every configuration key: its flag, what a valid value is, and whether
// a resumed run may change it. Flags, --config files and checkpoints are all read through it.

struct ConfigurationKey {
    /// What changing the key on --resume would mean.
    enum Role {
        /// The data, the model or the optimisation: a resumed run must keep the value.
        case fixed
        /// How long the run goes and how it is watched: a resumed run may change it.
        case schedule
    }

    /// The JSON key, camel case ("stepsPerEpoch").
    let name: String
    /// The flag without dashes ("steps-per-epoch").
    let flag: String
    let role: Role
    /// What a valid value is, completing "<key> must be …".
    let requirement: String
    /// Stores a value into a configuration; false when the value breaks the rule.
    let store: (inout TrainingConfiguration, SettingValue) -> Bool
    /// Whether a configuration's value keeps the rule (for configurations built in code).
    let holds: (TrainingConfiguration) -> Bool
    /// The configuration's value as a user would write it ("1,1,3", "1e-06"), for messages and
    /// for comparing a resumed run's value with the stored one.
    let shown: (TrainingConfiguration) -> String

    static func named(_ name: String) -> ConfigurationKey? { all.first { $0.name == name } }

    /// Every key, in the order of `xcnn train --help`.
    static var all: [ConfigurationKey] {
        [
            text("dataset", "dataset", \.dataset, "synthetic:<preset> or a directory (not empty)"),
            optionalInteger("imageCount", "image-count", \.imageCount, 4...1_000_000, unset: "the preset's count"),
            text("targetClass", "target-class", \.targetClass, "an object name (not empty)"),
            key("skipBad", "skip-bad", \.skipBad, "true or false", read: \.boolean, shown: { String($0) }),
            // Which images are accepted is part of the data, so a resumed run keeps the limit.
            optionalInteger(
                "maxImagePixels", "max-image-pixels", \.maxImagePixels, 1...(1 << 62), unset: "the default limit"),

            integer("side", "side", \.side, 16...4096, multipleOf: 16, "a multiple of 16 from 16 to 4096"),
            integer("baseWidth", "base-width", \.baseWidth, 1...1024, "an integer from 1 to 1024"),
            integer("hidden", "hidden", \.hidden, 1...65536, "an integer from 1 to 65536"),
            number("dropout", "dropout", \.dropout, { $0 >= 0 && $0 < 1 }, "a number in [0, 1)"),
            choice("ePooling", "e-pooling", \.ePooling),
            number("bnMomentum", "bn-momentum", \.bnMomentum, { $0 >= 0 && $0 < 1 }, "a number in [0, 1)"),
            number(
                "explainerInitBias", "explainer-init-bias", \.explainerInitBias, { abs($0) <= 100 },
                "a number in [-100, 100]"),
            number("bnEpsilon", "bn-epsilon", \.bnEpsilon, { $0 > 0 && $0 <= 100 }, "a number in (0, 100]"),
            number(
                "explainerInitScale", "explainer-init-scale", \.explainerInitScale, { $0 > 0 && $0 <= 100 },
                "a number in (0, 100]"),
            key(
                "classifierBatchNorm", "classifier-batch-norm", \.classifierBatchNorm, "true or false", read: \.boolean,
                shown: { String($0) }),
            choice("bnStatistics", "bn-statistics", \.bnStatistics),
            integer("bnBatches", "bn-batches", \.bnBatches, 1...10_000, "an integer from 1 to 10000"),

            key(
                "epochs", "epochs", \.epochs,
                "three integers from 0 to 1000000 (phases 1, 2, 3; not all 0) such as 50,50,50", role: .schedule,
                read: { value in
                    let counts = value.elements?.compactMap(\.integer)
                    return counts?.count == value.elements?.count ? counts : nil
                },
                valid: { counts in
                    counts.count == 3 && counts.allSatisfy { (0...1_000_000).contains($0) }
                        && counts.contains { $0 > 0 }
                },
                shown: { counts in counts.map(String.init).joined(separator: ",") }),
            integer(
                "stepsPerEpoch", "steps-per-epoch", \.stepsPerEpoch, 1...1_000_000, "an integer from 1 to 1000000",
                role: .schedule),
            integer("batch", "batch", \.batch, 1...4096, "an integer from 1 to 4096"),

            // Two forms of one weight (TrainingConfiguration.lambdaL1, lambdaL1PerPixel): the one
            // given clears the other; TrainingSettings refuses both from one source.
            lambdaL1Form("lambdaL1", "lambda-l1", \.lambdaL1, clearing: \.lambdaL1PerPixel, "lambda-l1-per-pixel"),
            lambdaL1Form(
                "lambdaL1PerPixel", "lambda-l1-per-pixel", \.lambdaL1PerPixel, clearing: \.lambdaL1, "lambda-l1"),
            number("lambdaTV", "lambda-tv", \.lambdaTV, { $0 >= 0 }, "a non-negative number"),
            number("lambdaBox", "lambda-box", \.lambdaBox, { $0 >= 0 }, "a non-negative number"),
            // Unset (nil) only by default: a value given is a number or three.
            key(
                "alpha", "alpha", \.alpha, "a number in [0, 1], or three (phases 1,2,3)",
                read: { value in perPhase(value).map(Optional.some) },
                valid: { alpha in alpha.map { $0.count == 3 && $0.allSatisfy { (0...1).contains($0) } } ?? true },
                shown: { alpha in alpha.map(shownPerPhase) ?? "unset" }),
            choice("optimizer", "optimizer", \.optimizer),
            key(
                "learningRate", "learning-rate", \.learningRate, "a positive number, or three (phases 1,2,3)",
                read: perPhase, valid: { rates in rates.count == 3 && rates.allSatisfy { $0.isFinite && $0 > 0 } },
                shown: shownPerPhase),
            number("momentum", "momentum", \.momentum, { $0 >= 0 && $0 < 1 }, "a number in [0, 1)"),
            number(
                "phase1StopLossRatio", "phase1-stop-loss-ratio", \.phase1StopLossRatio, { $0 >= 0 && $0 < 1 },
                "a number in [0, 1)"),

            key("seed", "seed", \.seed, "a non-negative integer", read: \.unsignedInteger, shown: { String($0) }),
            integer(
                "checkpointEvery", "checkpoint-every", \.checkpointEvery, 0...Int.max, "a non-negative integer",
                role: .schedule),
            integer(
                "verifyEvery", "verify-every", \.verifyEvery, 0...Int.max, "a non-negative integer", role: .schedule),
        ]
    }

    /// The one shape of a key: `read` takes a value of the key's type from a setting (nil: not one),
    /// `valid` is the rule a read value and a configuration's value must keep.
    static func key<Value>(
        _ name: String, _ flag: String, _ path: WritableKeyPath<TrainingConfiguration, Value>,
        _ requirement: String, role: Role = .fixed, read: @escaping (SettingValue) -> Value?,
        valid: @escaping (Value) -> Bool = { _ in true },
        shown: @escaping (Value) -> String
    ) -> ConfigurationKey {
        ConfigurationKey(
            name: name, flag: flag, role: role, requirement: requirement,
            store: { c, value in
                guard let read = read(value), valid(read) else { return false }
                c[keyPath: path] = read
                return true
            },
            holds: { c in valid(c[keyPath: path]) }, shown: { c in shown(c[keyPath: path]) })
    }

    static func integer(
        _ name: String, _ flag: String, _ path: WritableKeyPath<TrainingConfiguration, Int>,
        _ range: ClosedRange<Int>, multipleOf: Int = 1, _ requirement: String,
        role: Role = .fixed
    ) -> ConfigurationKey {
        key(
            name, flag, path, requirement, role: role, read: \.integer,
            valid: { range.contains($0) && $0 % multipleOf == 0 }, shown: { String($0) })
    }

    /// An integer in `range`, or null for "not set" (`unset` says what applies then).
    static func optionalInteger(
        _ name: String, _ flag: String, _ path: WritableKeyPath<TrainingConfiguration, Int?>,
        _ range: ClosedRange<Int>, unset: String
    ) -> ConfigurationKey {
        key(
            name, flag, path, "an integer from \(range.lowerBound) to \(range.upperBound) (or null: \(unset))",
            read: { value in value == .null ? .some(nil) : value.integer.map(Optional.some) },
            valid: { n in n.map { range.contains($0) } ?? true }, shown: { n in n.map(String.init) ?? unset })
    }

    /// A finite Double that satisfies `rule`; JSON's 1e400 (infinite as a Double) never does.
    static func number(
        _ name: String, _ flag: String, _ path: WritableKeyPath<TrainingConfiguration, Double>,
        _ rule: @escaping (Double) -> Bool, _ requirement: String
    ) -> ConfigurationKey {
        key(
            name, flag, path, requirement, read: \.finiteNumber, valid: { $0.isFinite && rule($0) },
            shown: { String($0) })
    }

    /// One number for all three phases, or three (phase 1, 2, 3): "1e-3" or "1e-3,1e-4,1e-4" as a
    /// flag, 0.001 or [0.001, 0.0001, 0.0001] in JSON; nil otherwise.
    static func perPhase(_ value: SettingValue) -> [Double]? {
        if let x = value.finiteNumber { return [x, x, x] }
        guard let items = value.elements, items.count == 3 else { return nil }
        let values = items.compactMap(\.finiteNumber)
        return values.count == 3 ? values : nil
    }

    static func shownPerPhase(_ values: [Double]) -> String {
        Set(values).count == 1 ? String(values[0]) : values.map { String($0) }.joined(separator: ",")
    }

    /// One form of the L1 weight: a finite non-negative number; storing it clears the other form.
    static func lambdaL1Form(
        _ name: String, _ flag: String, _ path: WritableKeyPath<TrainingConfiguration, Double?>,
        clearing other: WritableKeyPath<TrainingConfiguration, Double?>,
        _ otherFlag: String
    ) -> ConfigurationKey {
        ConfigurationKey(
            name: name, flag: flag, role: .fixed, requirement: "a non-negative number",
            store: { c, value in
                guard let x = value.finiteNumber, x >= 0 else { return false }
                c[keyPath: path] = x
                c[keyPath: other] = nil
                return true
            },
            holds: { c in
                (c[keyPath: path].map { $0.isFinite && $0 >= 0 } ?? true)
                    && (c[keyPath: path] == nil || c[keyPath: other] == nil)
            },
            shown: { c in
                c[keyPath: path].map { String($0) }
                    ?? "--\(otherFlag) \(c[keyPath: other].map { String($0) } ?? "unset")"
            })
    }

    /// One of a typed choice's words (its raw values, in declaration order).
    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ name: String, _ flag: String, _ path: WritableKeyPath<TrainingConfiguration, Choice>
    ) -> ConfigurationKey where Choice.RawValue == String {
        let words = Choice.allCases.map(\.rawValue)
        return key(
            name, flag, path, words.dropLast().joined(separator: ", ") + " or " + words.last!,
            read: { $0.text.flatMap(Choice.init(rawValue:)) }, shown: \.rawValue)
    }

    static func text(
        _ name: String, _ flag: String, _ path: WritableKeyPath<TrainingConfiguration, String>,
        _ requirement: String
    ) -> ConfigurationKey {
        key(name, flag, path, requirement, read: \.text, valid: { !$0.isEmpty }, shown: { $0 })
    }
}

extension TrainingConfiguration {
    /// A key's default as a flag writes it ("224", "avg", "50,50,50"), for help texts.
    public static func defaultText(of key: String) -> String {
        ConfigurationKey.named(key)!.shown(TrainingConfiguration())
    }

    /// What a valid value of a key is ("avg or max"), for help texts.
    public static func requirement(of key: String) -> String { ConfigurationKey.named(key)!.requirement }
}
