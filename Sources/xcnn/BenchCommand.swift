// `xcnn bench …`: micro-benchmarks that scripts/bench runs and records in docs/perf/bench.md.
import ArgumentParser
import Datasets
import Foundation
import Kernels
import MessagePassing
import Training

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Micro-benchmarks (scripts/bench runs them and writes docs/perf/bench.md).",
        subcommands: [
            SGEMMBench.self, AllreduceBench.self, DataBench.self, PNGBench.self, StepBench.self, BatchNormBench.self,
        ]
    )
}

/// Median of a non-empty sample.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

struct SGEMMBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgemm",
        abstract: "sgemm GFLOP/s at the model's convolution shapes (M filters × N pixels × K = 9·channels)."
    )

    /// Forward im2col products of the model at 224² (SPEC §1): M = filters, N = pixels, K = 9·C_in.
    static let modelShapes: [(m: Int, n: Int, k: Int)] = [
        (32, 50176, 27), (32, 50176, 288), (64, 12544, 288), (64, 12544, 576),
        (128, 3136, 576), (128, 3136, 1152), (256, 784, 1152), (256, 784, 2304),
    ]

    @Option(help: "Timed repetitions per shape; the median is reported.")
    var repeats = 5

    func run() throws {
        let blas = try BLASSetup.configure()
        print("# core \(blas.coreName) (\(blas.origin.rawValue)), threads \(blas.threads)")
        for shape in Self.modelShapes {
            let a = [Float](repeating: 0.5, count: shape.m * shape.k)
            let b = [Float](repeating: 0.25, count: shape.k * shape.n)
            var c = [Float](repeating: 0, count: shape.m * shape.n)
            let flops = 2.0 * Double(shape.m * shape.n * shape.k)
            let multiply = {
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            GEMM.multiply(
                                m: shape.m, n: shape.n, k: shape.k, a: a.baseAddress!, lda: shape.k,
                                b: b.baseAddress!, ldb: shape.n, c: c.baseAddress!, ldc: shape.n)
                        }
                    }
                }
            }
            // Warm up, then size each sample to about 50 ms so that timer and scheduling noise stay small.
            let warmStart = Stopwatch()
            multiply()
            let perSample = max(1, Int(0.05 / max(warmStart.seconds, 1e-6)))
            var rates: [Double] = []
            for _ in 0..<repeats {
                let start = Stopwatch()
                for _ in 0..<perSample { multiply() }
                rates.append(flops * Double(perSample) / start.seconds / 1e9)
            }
            print(
                "sgemm \(shape.m)x\(shape.n)x\(shape.k) \(blas.coreName) \(String(format: "%.1f", median(rates))) GFLOP/s"
            )
        }
    }
}

struct AllreduceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "Time of an in-place float allreduce across the ranks of this job."
    )

    @Option(help: "Buffer size in megabytes (default 8: the model's gradient).")
    var megabytes = 8.0

    @Option(help: "Timed repetitions; median, min and max are reported.")
    var repeats = 30

    func run() throws {
        _ = try BLASSetup.configure()
        let world = try Communicator.world()
        var buffer = [Float](repeating: 1, count: Int(megabytes * 1_048_576 / 4))
        var times: [Double] = []
        for round in 0...repeats {
            try world.barrier()
            let start = Stopwatch()
            try world.allreduceAverage(&buffer)
            if round > 0 { times.append(start.seconds * 1000) }
        }
        var slowest = [median(times)]
        try world.allreduce(&slowest, .max)  // the step waits for the slowest rank
        if world.rank == 0 {
            print(
                "allreduce \(megabytes) MB ranks \(world.size): median \(String(format: "%.2f", slowest[0])) ms "
                    + "(rank 0 min \(String(format: "%.2f", times.min()!)), max \(String(format: "%.2f", times.max()!)))"
            )
        }
    }
}

struct DataBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract:
            "Images/s of the data path on the calling thread: generation to disk and in memory, loading PNG folders and VOC."
    )

    @Option(help: "Image side.") var side = 224
    @Option(help: "Images per stage.") var images = 300

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xcnn-bench-data-\(getpid())")
            .path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try DatasetBenchmark.run(side: side, images: images, directory: directory)
        print(
            String(
                format:
                    "data side=%d images=%d generation_to_disk=%.1f generation_in_memory=%.1f folder_loading=%.1f voc_loading=%.1f",
                side, images, result.generationToDisk, result.generationInMemory, result.folderLoading,
                result.vocLoading))
    }
}

struct PNGBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "png",
        abstract:
            "CPU µs and bytes per generated image and mask at each PNG setting (zlib level and strategy, filter, bit depth), in memory on the calling thread."
    )

    @Option(help: "Preset whose images are encoded.") var preset = "paper-no-colour"
    @Option(help: "Images encoded per setting.") var images = 50
    @Option(help: "Timed passes per setting; the median is reported.") var repeats = 3

    func run() throws {
        guard let options = GeneratorOptions.preset(named: preset) else {
            throw ValidationError(
                "invalid --preset \(preset): presets are \(GeneratorOptions.presetNames.joined(separator: ", "))")
        }
        guard images >= 1, repeats >= 1 else { throw ValidationError("--images and --repeats must be at least 1") }
        print(PNGBenchmark.table(try PNGBenchmark.run(options: options, images: images, repeats: repeats)))
    }
}
