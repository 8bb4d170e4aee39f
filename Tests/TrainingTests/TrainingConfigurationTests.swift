// Configuration: JSON files merge over defaults, and every invalid value is refused naming its flag.
import Foundation
import Testing
@testable import Training

@Suite struct TrainingConfigurationTests {
    @Test func defaultsAreThePapersSchedule() throws {
        let configuration = TrainingConfiguration()
        try configuration.validate()
        #expect(configuration.epochs == [50, 50, 50])
        #expect(configuration.stepsPerEpoch == 50 && configuration.batch == 8)
        #expect(configuration.totalSteps == 7500)
    }

    @Test func jsonOverridesOnlyTheKeysItHas() throws {
        let json = Data(#"{"side": 64, "epochs": [2, 2, 2], "lambdaL1": 1e-5, "imageCount": 100}"#.utf8)
        let merged = try TrainingConfiguration().merging(json: json, source: "c.json")
        #expect(merged.side == 64 && merged.epochs == [2, 2, 2] && merged.lambdaL1 == 1e-5 && merged.imageCount == 100)
        #expect(merged.batch == 8 && merged.optimizer == "adadelta")
    }

    @Test func unknownOrMistypedJSONKeysAreRefused() {
        let typo = #expect(throws: TrainingError.self) {
            try TrainingConfiguration().merging(json: Data(#"{"sides": 64}"#.utf8), source: "c.json")
        }
        #expect(typo?.description.contains("unknown key \"sides\"") == true)
        let wrongType = #expect(throws: TrainingError.self) {
            try TrainingConfiguration().merging(json: Data(#"{"side": "big"}"#.utf8), source: "c.json")
        }
        #expect(wrongType?.description.contains("side") == true)
        #expect(throws: TrainingError.self) { try TrainingConfiguration().merging(json: Data("[1]".utf8), source: "c.json") }
    }

    @Test(arguments: [
        ("side", #"{"side": 40}"#), ("epochs", #"{"epochs": [1, 2]}"#), ("epochs", #"{"epochs": [0, 0, 0]}"#),
        ("batch", #"{"batch": 0}"#), ("lambda-l1", #"{"lambdaL1": -1}"#), ("e-pooling", #"{"ePooling": "median"}"#),
        ("optimizer", #"{"optimizer": "adam"}"#), ("dropout", #"{"dropout": 1}"#),
        ("steps-per-epoch", #"{"stepsPerEpoch": 0}"#), ("image-count", #"{"imageCount": 2}"#),
    ])
    func invalidValueIsRefusedNamingTheFlag(flag: String, json: String) throws {
        let configuration = try TrainingConfiguration().merging(json: Data(json.utf8), source: "test")
        let error = #expect(throws: TrainingError.self) { try configuration.validate() }
        #expect(error?.description.contains("--\(flag)") == true)
    }
}
