// metrics.csv read by column name into per-phase curves; a malformed file is refused naming the line.
import Foundation
import Testing

@testable import Report

@Suite struct TrainingCurvesTests {
    let header = "phase,epoch,global_step,loss,accuracy,val_loss,val_accuracy,images_per_s,allreduce_share,seconds"

    @Test func rowsBecomeTwoChartsPerPhase() throws {
        let csv =
            header
            + "\n1,1,5,0.9,0.4,0.8,0.5,100,0.01,1\n1,2,10,0.7,0.6,0.75,0.55,100,0.01,2\n3,1,15,0.5,0.8,nan,0.9,100,0.01,3\n"
        let curves = try TrainingCurves(csv: csv, source: "metrics.csv")
        #expect(curves.rows.count == 3 && curves.phases == [1, 3])
        let charts = curves.charts()
        #expect(charts.map(\.phase) == [1, 3])
        #expect(JSONSerialization.isValidJSONObject(charts[1].loss))  // NaN left out: JSON cannot hold it
        let data = (charts[0].accuracy["data"] as? [String: Any])?["datasets"] as? [[String: Any]]
        #expect((data?[0]["data"] as? [[String: Double]])?.map { $0["y"]! } == [0.4, 0.6])
        #expect((data?[1]["data"] as? [[String: Double]])?.map { $0["x"]! } == [1, 2])
        let validationLoss =
            ((charts[1].loss["data"] as? [String: Any])?["datasets"] as? [[String: Any]])?[1]["data"] as? [Any]
        #expect(validationLoss?.isEmpty == true)
    }

    @Test func malformedFilesAreRefusedByLine() {
        #expect(throws: ReportError("m.csv", "empty file, expected a metrics.csv header")) {
            try TrainingCurves(csv: "", source: "m.csv")
        }
        #expect(
            throws: ReportError("m.csv", "no column val_loss in the header (phase,epoch,global_step,loss,accuracy)")
        ) {
            try TrainingCurves(csv: "phase,epoch,global_step,loss,accuracy\n", source: "m.csv")
        }
        #expect(throws: ReportError("m.csv line 3", "loss is not a number (1,2,10,x,0.6,0.75,0.55,100,0.01,2)")) {
            try TrainingCurves(
                csv: header + "\n1,1,5,0.9,0.4,0.8,0.5,100,0.01,1\n1,2,10,x,0.6,0.75,0.55,100,0.01,2\n", source: "m.csv"
            )
        }
        #expect(throws: ReportError("m.csv line 2", "epoch is not a whole number (1,1.5,5,0.9,0.4,0.8,0.5,100,0.01,1)"))
        {
            try TrainingCurves(csv: header + "\n1,1.5,5,0.9,0.4,0.8,0.5,100,0.01,1\n", source: "m.csv")
        }
    }

    @Test func theWaitShareIsReadWhereTheFileHasIt() throws {
        let csv =
            header + ",wait_share\n1,1,5,0.9,0.4,0.8,0.5,100,0.125,1,0.0625\n1,2,10,0.9,0.4,0.8,0.5,100,0.01,1\n"
        let curves = try TrainingCurves(csv: csv, source: "metrics.csv")
        // The second row predates the column (kept by a resume): no wait share, not a zero.
        #expect(curves.rows.map(\.waitShare) == [0.0625, nil])
        #expect(
            try TrainingCurves(csv: header + "\n1,1,5,0.9,0.4,0.8,0.5,100,0.01,1\n", source: "m.csv").rows[0].waitShare
                == nil)
    }
}
