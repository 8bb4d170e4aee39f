// Configuration: flags, --config files and checkpoints go through one set of rules; every invalid
// value is refused naming the flag, or the file and key, and what the value must be.
import Foundation
import Network
import Testing

@testable import Training

@Suite struct TrainingConfigurationTests {
    func file(_ json: String, _ name: String = "c.json") throws -> TrainingConfiguration {
        try TrainingConfiguration().merging(json: Data(json.utf8), source: name)
    }

    func fileRefusal(_ json: String, _ name: String = "c.json") -> String? {
        #expect(throws: TrainingError.self) { try file(json, name) }?.description
    }

    @Test func defaultsAreTheRecipeOnThePapersSchedule() throws {
        let configuration = TrainingConfiguration()
        try configuration.validate()
        #expect(configuration.epochs == [50, 50, 50])
        #expect(configuration.stepsPerEpoch == 50 && configuration.batch == 8)
        #expect(configuration.optimizer == .adam && configuration.learningRate == [1e-3, 1e-4, 1e-4])
        #expect(configuration.lambdaL1PerPixel == 0.2 && configuration.lambdaL1 == nil)
        #expect(configuration.bnEpsilon == 0.01)
        #expect(configuration.classifierBatchNorm && configuration.explainerInitBias == 0)
    }

    /// Runs written before the recipe stored no bnEpsilon (and older ones fewer keys): reading them
    /// must give what they trained with, not today's defaults.
    @Test func aStoredConfigurationReadsAbsentKeysAsTheyWereBeforeTheRecipe() throws {
        let stored = try TrainingConfiguration(json: Data(#"{"side": 64, "seed": 3}"#.utf8), source: "ck")
        #expect(stored.optimizer == .adadelta && stored.learningRate == [1, 1, 1])
        #expect(stored.bnEpsilon == 1e-3 && stored.lambdaL1PerPixel == TrainingConfiguration.paperLambdaL1PerPixel)
        #expect(stored.side == 64 && stored.seed == 3)
        #expect(!stored.classifierBatchNorm && stored.explainerInitBias == 0)
        let today = TrainingConfiguration()
        let roundTrip = try TrainingConfiguration(json: Data(today.jsonText().utf8), source: "ck")
        #expect(roundTrip == today, "a configuration written today reads back whole")
    }

    /// configs/paper.json is the paper's configuration (Rio-Torto et al. 2019): Adadelta at Keras'
    /// defaults, λ_L1 1e-6 in Keras' sum form at 224², max pooling, Keras' BN ε and running statistics.
    @Test func thePapersConfigFileHoldsThePapersChoices() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/paper.json")
        let paper = try TrainingSettings(configFile: url.path).applied(to: TrainingConfiguration())
        try paper.validate()
        #expect(paper.optimizer == .adadelta && paper.learningRate == [1, 1, 1])
        #expect(paper.lambdaL1 == 1e-6 && paper.lambdaL1PerPixel == nil && paper.lambdaL1Sum == 1e-6)
        #expect(paper.bnEpsilon == 1e-3 && paper.bnStatistics == .running && paper.ePooling == .max)
        #expect(paper.side == 224 && paper.epochs == [50, 50, 50] && paper.stepsPerEpoch == 50 && paper.batch == 8)
        #expect(paper.dataset == "synthetic:paper-no-colour" && paper.alpha == nil)
        // The paper's classifier has no batch norm, and its head starts at Keras' β = 0.
        #expect(!paper.classifierBatchNorm && paper.explainerInitBias == 0 && paper.explainerInitScale == 1)
    }

    @Test func jsonOverridesOnlyTheKeysItHas() throws {
        let merged = try file(#"{"side": 64, "epochs": [2, 2, 2], "lambdaL1": 1e-5, "imageCount": 100}"#)
        #expect(merged.side == 64 && merged.epochs == [2, 2, 2] && merged.lambdaL1 == 1e-5 && merged.imageCount == 100)
        #expect(merged.batch == 8 && merged.optimizer == .adam)
    }

    @Test func anOptimizerWithoutALearningRateGetsItsOwnDefault() throws {
        #expect(try file(#"{"optimizer": "adam"}"#).learningRate == [0.001, 0.0001, 0.0001])
        #expect(try file(#"{"optimizer": "sgd"}"#).learningRate == [0.01, 0.01, 0.01])
        #expect(try file(#"{"optimizer": "adadelta"}"#).learningRate == [1, 1, 1], "Keras' default")
        #expect(try file(#"{"optimizer": "adam", "learningRate": 0.01}"#).learningRate == [0.01, 0.01, 0.01])
        #expect(try file(#"{"batch": 4}"#).learningRate == [0.001, 0.0001, 0.0001], "the recipe's")
    }

    @Test func theLearningRateIsOneOrThreePerPhase() throws {
        #expect(try file(#"{"learningRate": [0.001, 0.0001, 0.0001]}"#).learningRate == [0.001, 0.0001, 0.0001])
        #expect(
            fileRefusal(#"{"learningRate": [0.001, 0.0001]}"#)
                == "c.json: learningRate must be a positive number, or three (phases 1,2,3), got [0.001, 0.0001]")
        #expect(
            fileRefusal(#"{"learningRate": [0.001, 0, 0.1]}"#)
                == "c.json: learningRate must be a positive number, or three (phases 1,2,3), got [0.001, 0, 0.1]")
        var flags = TrainingSettings(flags: [("learningRate", "1e-3,1e-4,1e-4")])
        #expect(try flags.applied(to: TrainingConfiguration()).learningRate == [1e-3, 1e-4, 1e-4])
        flags = TrainingSettings(flags: [("learningRate", "1e-3,x,1e-4")])
        #expect(throws: TrainingError.self) { try flags.applied(to: TrainingConfiguration()) }
    }

    @Test func alphaWeighsCrossEntropyAgainstTheExplanationTermsPerPhase() throws {
        let paper = try file(#"{"lambdaL1PerPixel": 0.9, "lambdaTV": 0.1}"#)
        #expect(
            paper.alpha == nil
                && paper.lossWeights(phase: .explainerOnly)
                    == LossWeights(l1: Float(0.9 / (224 * 224)), tv: 0.1, crossEntropy: 1),
            "without alpha: CE + λ terms")
        let authors = try file(#"{"side": 64, "alpha": [1, 0.25, 0.9], "lambdaL1PerPixel": 0.9, "lambdaTV": 0.1}"#)
        let phase2 = authors.lossWeights(phase: .explainerOnly)
        let phase3 = authors.lossWeights(phase: .joint)
        #expect(phase2.crossEntropy == 0.25 && abs(phase2.tv - 0.075) < 1e-7)
        #expect(
            abs(phase2.l1 - Float(0.75 * 0.9 / (64 * 64))) < 1e-9,
            "λ per pixel as a sum weight over 64² pixels, times 1 − α")
        #expect(phase3.crossEntropy == 0.9 && abs(phase3.tv - 0.01) < 1e-7)
        #expect(
            authors.lossWeights(phase: .classifierOnly).l1 == 0
                && authors.lossWeights(phase: .classifierOnly).crossEntropy == 1)
        #expect(
            fileRefusal(#"{"alpha": [1, 1.5, 0.9]}"#)
                == "c.json: alpha must be a number in [0, 1], or three (phases 1,2,3), got [1, 1.5, 0.9]")
    }

    @Test func unknownOrMistypedJSONKeysAreRefused() {
        #expect(
            fileRefusal(#"{"sides": 64}"#)?.hasPrefix(
                #"c.json: unknown key "sides" (line 1); did you mean "side"? known keys: dataset, "#) == true)
        #expect(
            fileRefusal(#"{"side": "big"}"#) == #"c.json: side must be a multiple of 16 from 16 to 4096, got "big""#)
        #expect(
            fileRefusal("[1]")
                == "c.json: not valid JSON at line 1, column 1: expected a JSON object ({ … }) at the top level")
    }

    /// FC15 (../shared/field-cases/FC15-cfg-duplicate-key/dup.json, byte for byte): the first
    /// "batch" is the one a user edited; a silent last-wins would drop the edit.
    @Test func aKeyGivenTwiceIsRefusedNamingItAndBothLines() {
        let dup = """
            {
              "batch": 1,
              "side": 32,
              "baseWidth": 8,
              "hidden": 16,
              "stepsPerEpoch": 1,
              "epochs": [1, 0, 0],
              "batch": 2
            }

            """
        #expect(fileRefusal(dup, "dup.json") == #"dup.json: key "batch" is given twice (lines 2 and 8); keep one"#)
        // The same key written with an escape is the same key.
        #expect(
            fileRefusal(#"{"seed": 1, "s\u0065ed": 2}"#)
                == #"c.json: key "seed" is given twice (lines 1 and 1); keep one"#)
    }

    /// FC16 (../shared/field-cases/FC16-cfg-non-integer-number/*.json, byte for byte).
    @Test func aWrongNumberNamesTheKeyAndWhatItMustBe() throws {
        #expect(
            fileRefusal(#"{"stepsPerEpoch": 2.5}"# + "\n", "steps-2.5.json")
                == "steps-2.5.json: stepsPerEpoch must be an integer from 1 to 1000000, got 2.5")
        #expect(
            fileRefusal(#"{"seed": -1}"# + "\n", "seed-negative.json")
                == "seed-negative.json: seed must be a non-negative integer, got -1")
        #expect(try file(#"{"stepsPerEpoch": 1e1}"# + "\n", "steps-1e1.json").stepsPerEpoch == 10)
    }

    @Test(arguments: [
        ("10", 10), ("1e1", 10), ("1E+1", 10), ("10.0", 10), ("1000e-2", 10), ("0.1e2", 10), ("-0", 0),
        ("0e999999999999", 0), ("9223372036854775807", Int.max), ("-9223372036854775807", -Int.max),
    ])
    func integersAreReadByTheirExactValue(literal: String, value: Int) {
        #expect(SettingValue.number(literal).integer == value)
    }

    @Test(arguments: [
        "2.5", "1e-1", "1e400", "1e999999999999", "9223372036854775808", "100000000000000000000", "10.01",
    ])
    func numbersThatAreNotAnIntIntegerAreNot(literal: String) {
        #expect(SettingValue.number(literal).integer == nil)
    }

    @Test func seedsUseTheWholeUnsignedRange() throws {
        #expect(try file(#"{"seed": 18446744073709551615}"#).seed == UInt64.max)
        #expect(
            fileRefusal(#"{"seed": 18446744073709551616}"#)
                == "c.json: seed must be a non-negative integer, got 18446744073709551616")
        #expect(try file(#"{"seed": 7.0}"#).seed == 7)
    }

    @Test func aNumberTooLargeForADoubleIsRefusedNotInfinite() {
        #expect(
            fileRefusal(#"{"learningRate": 1e400}"#)
                == "c.json: learningRate must be a positive number, or three (phases 1,2,3), got 1e400")
    }

    @Test(arguments: [
        ("side", #"{"side": 40}"#), ("epochs", #"{"epochs": [1, 2]}"#), ("epochs", #"{"epochs": [0, 0, 0]}"#),
        ("epochs", #"{"epochs": [1, 1.5, 1]}"#), ("batch", #"{"batch": 0}"#), ("lambdaL1", #"{"lambdaL1": -1}"#),
        ("ePooling", #"{"ePooling": "median"}"#), ("optimizer", #"{"optimizer": "rmsprop"}"#),
        ("dropout", #"{"dropout": 1}"#),
        ("stepsPerEpoch", #"{"stepsPerEpoch": 0}"#), ("imageCount", #"{"imageCount": 2}"#),
        ("skipBad", #"{"skipBad": 1}"#),
        ("dataset", #"{"dataset": ""}"#), ("hidden", #"{"hidden": null}"#), ("momentum", #"{"momentum": {"a": 1}}"#),
    ])
    func invalidFileValueIsRefusedNamingTheKey(key: String, json: String) {
        #expect(fileRefusal(json)?.hasPrefix("c.json: \(key) must be ") == true)
    }

    @Test(arguments: [
        ("side", "40", "--side must be a multiple of 16 from 16 to 4096, got 40"),
        ("seed", "-1", "--seed must be a non-negative integer, got -1"),
        (
            "epochs", "1,2",
            "--epochs must be three integers from 0 to 1000000 (phases 1, 2, 3; not all 0) such as 50,50,50, got 1,2"
        ),
        ("batch", "0x10", "--batch must be an integer from 1 to 4096, got 0x10"),
        ("lambdaL1", "-1", "--lambda-l1 must be a non-negative number, got -1"),
        ("dropout", "nan", "--dropout must be a number in [0, 1), got nan"),
    ])
    func invalidFlagIsRefusedWithTheSameRuleNamingTheFlag(key: String, text: String, message: String) {
        let error = #expect(throws: TrainingError.self) {
            try TrainingSettings(flags: [(key, text)]).applied(to: TrainingConfiguration())
        }
        #expect(error?.description == message)
        #expect(error?.isUsage == true)
    }

    @Test func aConfigFileIsReadBoundedAndNamedWhenUnreadable() throws {
        func refusal(_ path: String) -> String? {
            #expect(throws: TrainingError.self) { try TrainingSettings(configFile: path) }?.description
        }
        // /dev/zero never ends: only the first MiB and one byte are read.
        #expect(refusal("/dev/zero") == "/dev/zero: larger than 1048576 bytes, too large for a configuration file")
        #expect(
            refusal("/nonexistent/c.json")
                == "--config /nonexistent/c.json: cannot open the file: No such file or directory")
        #expect(refusal("/") == "--config /: cannot read the file: Is a directory")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("c-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(#"{"side": 48}"#.utf8).write(to: url)
        #expect(try TrainingSettings(configFile: url.path).applied(to: TrainingConfiguration()).side == 48)
    }

    @Test func flagsReadNumbersAndListsLikeTheFile() throws {
        let flags = TrainingSettings(flags: [
            ("epochs", "1, 0 ,2"), ("stepsPerEpoch", "1e1"), ("lambdaL1", "1e-6"), ("skipBad", "true"),
        ])
        let configuration = try flags.applied(to: TrainingConfiguration())
        #expect(
            configuration.epochs == [1, 0, 2] && configuration.stepsPerEpoch == 10 && configuration.lambdaL1 == 1e-6
                && configuration.skipBad)
    }

    @Test func flagsOverrideTheFile() throws {
        let fromFile = try TrainingSettings(json: Array(#"{"side": 48, "batch": 2}"#.utf8), origin: .file("c.json"))
        let merged = TrainingSettings(flags: [("batch", "4")]).overriding(fromFile)
        let configuration = try merged.applied(to: TrainingConfiguration())
        #expect(configuration.side == 48 && configuration.batch == 4)
        #expect(merged.value(of: "batch")?.origin == .flags && merged.value(of: "side")?.origin == .file("c.json"))
    }

    @Test func aConfigurationBuiltInCodeIsCheckedByTheSameRules() {
        var configuration = TrainingConfiguration()
        configuration.side = 40
        let error = #expect(throws: TrainingError.self) { try configuration.validate() }
        #expect(error?.description == "--side must be a multiple of 16 from 16 to 4096, got 40")
    }

    @Test func aCheckpointsConfigurationRoundTripsAndABadOneIsDamageNotUsage() throws {
        var configuration = TrainingConfiguration()
        configuration.imageCount = 96
        configuration.lambdaL1 = 1e-6
        configuration.lambdaL1PerPixel = nil  // one form of the L1 weight at a time
        configuration.seed = 3
        #expect(try TrainingConfiguration(json: Data(configuration.jsonText().utf8), source: "ckpt") == configuration)
        let error = #expect(throws: TrainingError.self) {
            try TrainingConfiguration(json: Data(#"{"side": 40}"#.utf8), source: "ckpt")
        }
        #expect(error?.description == "configuration in ckpt: side must be a multiple of 16 from 16 to 4096, got 40")
        #expect(error?.isUsage == false)
    }

    @Test func theLastPhaseWithEpochsHoldsTheFinalWeights() {
        for (epochs, last) in [
            ([1, 0, 0], Phase.classifierOnly), ([0, 2, 0], .explainerOnly), ([1, 1, 1], .joint), ([0, 0, 4], .joint),
        ] {
            var configuration = TrainingConfiguration()
            configuration.epochs = epochs
            #expect(configuration.lastPhase == last)
        }
    }

    /// λ per pixel = Keras' λ × side²: the paper's 1e-6 at 224² is 0.050176 at every side.
    @Test func theL1WeightHasAPerPixelFormThatMeansTheSameAtEverySide() throws {
        var paper = TrainingConfiguration()
        paper.lambdaL1PerPixel = TrainingConfiguration.paperLambdaL1PerPixel
        #expect(paper.lambdaL1 == nil && paper.lambdaL1PerPixel == 0.050176)
        #expect(abs(paper.lambdaL1Sum - 1e-6) < 1e-18)
        paper.side = 64
        #expect(abs(paper.lambdaL1Sum - 0.050176 / 4096) < 1e-18)
        let keras = try TrainingSettings(flags: [("lambdaL1", "1e-6"), ("side", "64")]).applied(
            to: TrainingConfiguration())
        #expect(keras.lambdaL1 == 1e-6 && keras.lambdaL1PerPixel == nil && keras.lambdaL1Sum == 1e-6)
        let file = try TrainingSettings(json: Array(#"{"lambdaL1": 1e-6}"#.utf8), origin: .file("c.json"))
        let perPixel = try TrainingSettings(flags: [("lambdaL1PerPixel", "0.2")]).overriding(file).applied(
            to: TrainingConfiguration())
        #expect(perPixel.lambdaL1 == nil && perPixel.lambdaL1PerPixel == 0.2)
        let both = TrainingSettings(flags: [("lambdaL1", "1e-6"), ("lambdaL1PerPixel", "0.05")])
        let error = #expect(throws: TrainingError.self) { try both.applied(to: TrainingConfiguration()) }
        #expect(error?.description == "--lambda-l1 and --lambda-l1-per-pixel are two forms of one weight; give one")
    }
}
