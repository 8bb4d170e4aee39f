// Shared by the Datasets tests: fixture paths, scratch directories, small generator options.
import Datasets
import Foundation

enum TestSupport {
    static var fixtures: String { Bundle.module.resourcePath! + "/Fixtures" }
    static func good(_ name: String) -> String { fixtures + "/good/" + name }
    static func bad(_ name: String) -> String { fixtures + "/bad/" + name }

    /// A fresh directory under the system temporary directory, unique per call.
    static func scratch(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "xcnn-datasets-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Small images so the suite stays fast in debug builds.
    static func smallOptions(seed: UInt64 = 7, count: Int = 8, side: Int = 48) -> GeneratorOptions {
        var options = GeneratorOptions()
        options.seed = seed
        options.count = count
        options.side = side
        options.shapesPerImage = 2...5
        options.radius = 4..<9
        return options
    }

    /// Every file below `root` (relative path → bytes).
    static func contents(of root: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)!
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = root + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[relative] = FileManager.default.contents(atPath: path)
            }
        }
        return result
    }

    /// Runs python3 with a script and arguments; returns (exit status, stdout).
    static func python(_ script: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
