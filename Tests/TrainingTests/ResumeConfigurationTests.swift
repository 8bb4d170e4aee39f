// --resume: schedule flags apply within what the cursor has done, the others must keep the stored
// value, and the cursor moves only where a straight run with the new schedule would stand.
import Foundation
import Network
import Testing

@testable import Training

@Suite struct ResumeConfigurationTests {
    func stored(_ epochs: [Int], steps: Int = 10) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.epochs = epochs
        configuration.stepsPerEpoch = steps
        return configuration
    }

    /// Phase 4: the finished run (as checkpoints store it).
    func cursor(_ phase: Int, _ epoch: Int, _ batch: Int, step: Int = 0) -> TrainingCursor {
        precondition((1...4).contains(phase), "phases 1 to 3, or 4 for the finished run")
        return TrainingCursor(
            phase: Phase(rawValue: phase), epoch: epoch, batchInEpoch: batch, globalStep: step, worldSize: 2, seed: 1)
    }

    func refusal(_ configuration: TrainingConfiguration, _ flags: [(String, String?)], at position: TrainingCursor)
        -> String?
    {
        let error = #expect(throws: TrainingError.self) {
            try configuration.resumed(with: TrainingSettings(flags: flags), at: position)
        }
        #expect(error?.isUsage == true)
        return error?.description
    }

    @Test func aFlagOfTheModelDataOrOptimisationIsRefusedByName() {
        #expect(
            refusal(stored([1, 1, 1]), [("lambdaL1", "1e-5")], at: cursor(2, 0, 3))
                == "--lambda-l1 cannot change on --resume: the run was trained with --lambda-l1-per-pixel 0.2; start a new run directory"
        )
        var keras = stored([1, 1, 1])
        keras.lambdaL1 = 1e-6
        keras.lambdaL1PerPixel = nil
        #expect(
            refusal(keras, [("lambdaL1", "1e-5")], at: cursor(2, 0, 3))
                == "--lambda-l1 cannot change on --resume: the run was trained with 1e-06; start a new run directory")
        #expect(
            refusal(stored([1, 1, 1]), [("side", "64"), ("seed", "2")], at: cursor(2, 0, 3))
                == "--side cannot change on --resume: the run was trained with 224; --seed cannot change on --resume: the run was trained with 1; start a new run directory"
        )
    }

    @Test func anImageCountGivenWhereThePresetsWasUsedIsAChange() {
        #expect(
            refusal(stored([1, 1, 1]), [("imageCount", "100"), ("skipBad", "true")], at: cursor(1, 0, 3))
                == "--image-count cannot change on --resume: the run was trained with the preset's count; "
                + "--skip-bad cannot change on --resume: the run was trained with false; start a new run directory")
    }

    @Test func aConfigFileKeyIsRefusedNamingTheFileAndKey() throws {
        let file = try TrainingSettings(json: Array(#"{"batch": 4}"#.utf8), origin: .file("c.json"))
        let error = #expect(throws: TrainingError.self) {
            try stored([1, 1, 1]).resumed(with: file, at: cursor(2, 0, 3))
        }
        #expect(
            error?.description
                == "c.json: batch cannot change on --resume: the run was trained with 8; start a new run directory")
    }

    /// A requeue script that repeats every original flag must still resume.
    @Test func repeatingTheStoredValuesChangesNothing() throws {
        let given = TrainingSettings(flags: [
            ("lambdaL1PerPixel", "0.2"), ("side", "224"), ("epochs", "1,1,1"), ("batch", "8"),
        ])
        let (configuration, changes) = try stored([1, 1, 1]).resumed(with: given, at: cursor(2, 0, 3))
        #expect(configuration == stored([1, 1, 1]))
        #expect(changes.isEmpty)
    }

    @Test func scheduleFlagsApplyAndAreListed() throws {
        let given = TrainingSettings(flags: [
            ("epochs", "1,2,3"), ("stepsPerEpoch", "12"), ("checkpointEvery", "7"), ("verifyEvery", "5"),
        ])
        let (configuration, changes) = try stored([1, 1, 1]).resumed(with: given, at: cursor(2, 0, 3, step: 13))
        #expect(configuration.epochs == [1, 2, 3] && configuration.stepsPerEpoch == 12)
        #expect(configuration.checkpointEvery == 7 && configuration.verifyEvery == 5)
        #expect(
            changes == [
                "epochs 1,1,1 → 1,2,3", "steps-per-epoch 10 → 12", "checkpoint-every 50 → 7", "verify-every 0 → 5",
            ])
    }

    @Test func aFinishedPhaseKeepsItsEpochs() {
        #expect(
            refusal(stored([1, 1, 1]), [("epochs", "2,1,1")], at: cursor(2, 0, 3))
                == "--epochs 2,1,1: phase 1 has finished after 1 epoch(s) and the next phase started from its best weights, so its count must stay 1 on --resume"
        )
    }

    @Test func aSkippedPhaseBeforeTheCurrentOneStaysSkipped() {
        #expect(
            refusal(stored([1, 0, 1]), [("epochs", "1,2,1")], at: cursor(3, 0, 5, step: 15))
                == "--epochs 1,2,1: phase 2 was skipped (0 epochs) and a later phase has started, so its count must stay 0 on --resume"
        )
    }

    @Test func theCurrentPhaseCannotShrinkBelowTheEpochItHasStarted() throws {
        #expect(
            refusal(stored([1, 3, 1]), [("epochs", "1,2,1")], at: cursor(2, 2, 4, step: 34))
                == "--epochs 1,2,1: phase 2 has already started epoch 3 (step 34); give it at least 3")
        #expect(
            refusal(stored([1, 3, 1]), [("epochs", "1,1,1")], at: cursor(2, 2, 0, step: 30))
                == "--epochs 1,1,1: phase 2 has already trained 2 epoch(s) (step 30); give it at least 2")
        // Ending the phase exactly where it stands is allowed: it ends on resume.
        let (configuration, _) = try stored([1, 3, 1]).resumed(
            with: TrainingSettings(flags: [("epochs", "1,2,1")]), at: cursor(2, 2, 0, step: 30))
        #expect(configuration.epochs == [1, 2, 1])
    }

    @Test func stepsPerEpochCannotShrinkBelowTheStepsOfTheCurrentEpoch() throws {
        #expect(
            refusal(stored([1, 1, 1]), [("stepsPerEpoch", "5")], at: cursor(1, 0, 7, step: 7))
                == "--steps-per-epoch 5: epoch 1 of phase 1 has already taken 7 steps; give at least 7")
        _ = try stored([1, 1, 1]).resumed(
            with: TrainingSettings(flags: [("stepsPerEpoch", "7")]), at: cursor(1, 0, 7, step: 7))
    }

    @Test func aCursorInsideAPhaseStays() {
        let at = cursor(2, 1, 3, step: 23)
        #expect(stored([1, 2, 1]).resumeCursor(at, continuingWith: stored([1, 5, 0])) == at)
    }

    /// After `--epochs 1,0,0` the run has finished with phase 1's best weights and a fresh optimizer,
    /// exactly where a straight `--epochs 1,0,2` run starts phase 3.
    @Test func aFinishedRunMovesBackToAnUntrainedPhaseThatGainedEpochs() throws {
        let end = cursor(4, 0, 0, step: 10)
        let old = stored([1, 0, 0])
        let (configuration, _) = try old.resumed(with: TrainingSettings(flags: [("epochs", "1,0,2")]), at: end)
        #expect(old.resumeCursor(end, continuingWith: configuration).phase == .joint)
        #expect(old.resumeCursor(end, continuingWith: stored([1, 2, 2])).phase == .explainerOnly)
        #expect(old.resumeCursor(end, continuingWith: old).phase == nil)
        // Phase 3 trained: nothing before the end is free any more.
        #expect(stored([1, 1, 1]).resumeCursor(end, continuingWith: stored([1, 1, 1])).phase == nil)
        #expect(
            refusal(stored([1, 1, 1]), [("epochs", "1,1,2")], at: end)?.hasPrefix(
                "--epochs 1,1,2: phase 3 has finished after 1 epoch(s)") == true)
    }

    @Test func aCursorAtAPhaseStartSkipsPhasesNowAtZero() throws {
        let start = cursor(2, 0, 0, step: 10)
        let (configuration, _) = try stored([1, 1, 1]).resumed(
            with: TrainingSettings(flags: [("epochs", "1,0,1")]), at: start)
        #expect(stored([1, 1, 1]).resumeCursor(start, continuingWith: configuration).phase == .joint)
    }

    @Test func aCursorThatItsScheduleCannotReachIsRefusedAsDamage() {
        // Phases outside 1…4 do not read at all (CheckpointFileTests.aCursorOutOfRangeIsRefused).
        for bad in [cursor(1, 2, 0), cursor(1, 0, 11), cursor(1, -1, 0), cursor(4, 1, 0)] {
            let error = #expect(throws: TrainingError.self) {
                try stored([1, 1, 1]).checkCursorFits(bad, source: "ckpt")
            }
            #expect(error?.description.hasSuffix("the checkpoint is damaged") == true)
        }
        #expect(throws: Never.self) { try stored([1, 1, 1]).checkCursorFits(cursor(1, 1, 0), source: "ckpt") }
        #expect(throws: Never.self) { try stored([1, 1, 1]).checkCursorFits(cursor(4, 0, 0), source: "ckpt") }
    }
}
