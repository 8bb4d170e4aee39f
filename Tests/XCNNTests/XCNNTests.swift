// How the command line tells its own errors from ArgumentParser's and names the command in a usage message.
import ArgumentParser
import Testing
import Training

@testable import xcnn

@Suite struct XCNNTests {
    @Test func everyCommandNamesItselfAndUsageMessagesNameTheWholePath() {
        let commands = XCNN.commandTypes(XCNN.self)
        #expect(commands.count >= 15)
        for command in commands {
            #expect(command.configuration.commandName?.isEmpty == false, "\(command) has no commandName")
        }
        #expect(XCNN.commandPath(to: StepBench.self, from: XCNN.self) == ["xcnn", "bench", "step"])
        let message = XCNN.usageMessage(
            TrainingError.usage("--seed must be a non-negative integer, got -1"), command: TrainCommand.self)
        #expect(message.hasPrefix("xcnn: error: --seed must be a non-negative integer, got -1\nUsage: xcnn train"))
        #expect(message.hasSuffix("See 'xcnn train --help' for more information.\n"))
    }

    @Test func usageErrorsAreTheCommandsOwnFailuresOfTheRunAreNot() {
        #expect(XCNN.isUsage(ValidationError("bad flag")))
        #expect(XCNN.isUsage(TrainingError.usage("bad --config")))
        #expect(XCNN.isUsage(TrainingError.collective("rank 0 refused the flags", usage: true)))
        #expect(XCNN.isUsage(CommandFailure.usage("no run here")))
        #expect(!XCNN.isUsage(TrainingError("cannot write run/metrics.csv")))
        #expect(!XCNN.isUsage(TrainingError.collective("non-finite loss")))
        #expect(!XCNN.isUsage(CommandFailure("cannot write skipped.txt")))
    }

    @Test func theEpochLineSplitsTheCollectivesShareIntoWaitingAndTheRest() {
        var metrics = EpochMetrics(
            phase: 3, epoch: 2, globalStep: 48, loss: 0.7, accuracy: 0.5, validationLoss: 0.7, validationAccuracy: 0.5,
            imagesPerSecond: 23, communicationShare: 0.149, waitShare: 0.131, seconds: 17)
        #expect(TrainingProgress.communication(metrics) == "14.9% (wait 13.1%)")
        metrics.waitShare = nil
        #expect(TrainingProgress.communication(metrics) == "14.9%")
    }
}
