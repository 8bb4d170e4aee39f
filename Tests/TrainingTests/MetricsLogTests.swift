// metrics.csv: the header names every column, a row carries the collectives' share and the part of
// it spent waiting for the slowest rank, and a resume keeps rows written before that column existed.
import Foundation
import Testing

@testable import Training

@Suite struct MetricsLogTests {
    func metrics(globalStep: Int, waitShare: Double?) -> EpochMetrics {
        EpochMetrics(
            phase: 1, epoch: 1, globalStep: globalStep, loss: 0.5, accuracy: 0.75, validationLoss: 0.25,
            validationAccuracy: 1, imagesPerSecond: 40, communicationShare: 0.125, waitShare: waitShare, seconds: 2)
    }

    @Test func rowsCarryTheWaitShareAfterEveryOlderColumn() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("metrics.csv")
        // A file from before the wait was measured: ten columns, kept as they are by a resume.
        try Data(
            "phase,epoch,global_step,loss,accuracy,val_loss,val_accuracy,images_per_s,allreduce_share,seconds\n1,1,5,0.9,0.4,0.8,0.5,100,0.01,1\n1,2,10,0.9,0.4,0.8,0.5,100,0.01,1\n"
                .utf8
        ).write(to: url)
        let log = MetricsLog(url: url)
        try log.truncate(afterGlobalStep: 5)
        try log.append(metrics(globalStep: 10, waitShare: 0.0625))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(
            lines == [
                "phase,epoch,global_step,loss,accuracy,val_loss,val_accuracy,images_per_s,allreduce_share,seconds,wait_share",
                "1,1,5,0.9,0.4,0.8,0.5,100,0.01,1",
                "1,1,10,0.5,0.75,0.25,1,40.000,0.1250,2.000,0.0625",
            ])
    }
}
