// The maps file of `xcnn evaluate --save-maps`: tensors, shapes, row order and metadata as a Python
// reader sees them, the file gathered from two ranks' strided shares equal to one rank's, and the
// errors that name what does not fit.
import Attribution
import Foundation
import MessagePassing
import Testing
import Training

@testable import Report

@Suite struct EvaluationMapsTests {
    let side = 4, methods = ["explainer", "saliency", "grad-cam"]

    /// Image n's values are distinct per image, tensor and position, so any mix-up shows.
    func row(_ n: Int) -> [Float] {
        let plane = side * side
        let input = (0..<(3 * plane)).map { Float(n) + Float($0) / 1000 }
        let maps = methods.indices.map { m in (0..<plane).map { Float(n * 100 + m) - Float($0) / 100 } }
        return EvaluationMaps.row(input: input, maps: maps, side: side)
    }

    @Test func tensorsHoldEachImageInListingOrder() throws {
        let images = [7, 3, 12].map { SavedMapsListing.Image(index: $0, path: nil) }
        let rows = (0..<3).map(row)
        let bytes = try EvaluationMaps.encode(rows: rows, methods: methods, side: side, images: images)
        let (tensors, metadata) = try Safetensors.decode(bytes, source: "maps")
        #expect(tensors.map(\.name) == ["input"] + methods)
        #expect(tensors[0].shape == [3, 3, side, side] && tensors[1...].allSatisfy { $0.shape == [3, side, side] })
        #expect(
            metadata["indices"] == "[7,3,12]" && metadata["methods"] == "explainer,saliency,grad-cam"
                && metadata["side"] == "4")
        let plane = side * side
        for n in 0..<3 {
            #expect(
                Array(tensors[0].values[(n * 3 * plane)..<((n + 1) * 3 * plane)]) == Array(rows[n][0..<(3 * plane)]))
            for m in methods.indices {
                let start = (3 + m) * plane
                #expect(
                    Array(tensors[1 + m].values[(n * plane)..<((n + 1) * plane)])
                        == Array(rows[n][start..<(start + plane)]))
            }
        }
        let decoded = try EvaluationMaps.decode(bytes, source: "maps")
        #expect(decoded.indices == [7, 3, 12] && decoded.side == side && decoded.maps.map(\.name) == methods)
    }

    /// Ranks take positions r, r + size, …; their rows, sent as bytes and merged, give the same file as
    /// one rank that computed every row.
    @Test func twoRankShareGivesTheOneRankFile() throws {
        let count = 5
        let images = (0..<count).map { SavedMapsListing.Image(index: 10 + $0, path: "/data/\($0).png") }
        let single = try EvaluationMaps.encode(rows: (0..<count).map(row), methods: methods, side: side, images: images)
        let parts = (0..<2).map { rank in
            RankStride.positions(rank: rank, size: 2, count: count).map {
                EvaluationMaps.row(bytes: EvaluationMaps.bytes(row($0)))
            }
        }
        #expect(parts.map(\.count) == [3, 2])
        let merged = RankStride.merge(parts, count: count)
        #expect(try EvaluationMaps.encode(rows: merged, methods: methods, side: side, images: images) == single)
    }

    @Test func mismatchesAreNamed() throws {
        let images = [SavedMapsListing.Image(index: 0, path: nil)]
        #expect(throws: ReportError("maps row 0", "16 values, expected 96 (input and 3 map(s) at side 4)")) {
            try EvaluationMaps.encode(
                rows: [[Float](repeating: 0, count: 16)], methods: methods, side: side, images: images)
        }
        #expect(throws: ReportError.self) {
            try EvaluationMaps.encode(
                rows: [row(0)], methods: ["input", "saliency", "grad-cam"], side: side, images: images)
        }
        let checkpointLike = try Safetensors.encode(
            [NamedTensor(name: "w", shape: [1], values: [0])], metadata: ["format": "xcnn-checkpoint"])
        #expect(throws: ReportError("c.safetensors", "not an xcnn maps file (format xcnn-checkpoint)")) {
            try EvaluationMaps.decode(checkpointLike, source: "c.safetensors")
        }
    }
}
