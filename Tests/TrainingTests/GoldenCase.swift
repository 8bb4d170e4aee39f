// Reads one golden case folder (shared/golden/<case>/): its manifest and float32 .npy tensors,
// always through the manifest's `file` and `off` so deduplicated tensors resolve.
import Foundation

struct GoldenCase {
    let folder: URL
    let manifest: [String: Any]

    init(folder: URL) throws {
        self.folder = folder
        let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GoldenError("\(folder.path)/manifest.json", "is not a JSON object")
        }
        manifest = object
    }

    var name: String { folder.lastPathComponent }
    var config: [String: Any] { manifest["config"] as? [String: Any] ?? [:] }
    var tensors: [String: Any] { manifest["tensors"] as? [String: Any] ?? [:] }

    func int(_ key: String) -> Int { (config[key] as? NSNumber)?.intValue ?? -1 }
    func double(_ key: String) -> Double { (config[key] as? NSNumber)?.doubleValue ?? .nan }
    func string(_ key: String) -> String { config[key] as? String ?? "" }

    func has(_ key: String) -> Bool { tensors[key] != nil }

    /// The tensor's shape as stored (a sliced activation holds fewer images than the batch).
    func shape(_ key: String) throws -> [Int] {
        guard let entry = tensors[key] as? [String: Any], let shape = entry["shape"] as? [NSNumber] else {
            throw GoldenError(key, "not in \(name)/manifest.json")
        }
        return shape.map(\.intValue)
    }

    func load(_ key: String) throws -> [Float] {
        guard let entry = tensors[key] as? [String: Any], let file = entry["file"] as? String,
            let offset = (entry["off"] as? NSNumber)?.intValue
        else {
            throw GoldenError(key, "not in \(name)/manifest.json")
        }
        let count = try shape(key).reduce(1, *)
        let url = folder.appendingPathComponent(file)
        let data = try Data(contentsOf: url)
        guard data.count >= offset + 4 * count else {
            throw GoldenError(url.path, "holds \(data.count) bytes, need \(offset + 4 * count)")
        }
        return data.withUnsafeBytes { raw in
            (0..<count).map {
                Float(
                    bitPattern: UInt32(
                        littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: UInt32.self)))
            }
        }
    }

    /// phases.<phase>.<field>.<component>, e.g. ("2", "loss", "tv").
    func phaseNumber(_ phase: Int, _ field: String, _ component: String) -> Double? {
        let phases = manifest["phases"] as? [String: Any]
        let entry = (phases?[String(phase)] as? [String: Any])?[field] as? [String: Any]
        return (entry?[component] as? NSNumber)?.doubleValue
    }

    func tolerance(_ kind: String) throws -> Double {
        let section = manifest["float32_vs_float64"] as? [String: Any]
        guard let tol = ((section?["suggested_scaled_tol_by_kind"] as? [String: Any])?[kind] as? NSNumber)?.doubleValue
        else {
            throw GoldenError("\(name)/manifest.json", "no suggested tolerance for kind \(kind)")
        }
        return tol
    }

    var noiseKeys: Set<String> {
        let section = manifest["float32_vs_float64"] as? [String: Any]
        return Set(((section?["noise_tensors"] as? [String: Any])?["keys"] as? [String]) ?? [])
    }

    /// Case folders to check, only where ../shared/golden/README.md says: ../shared/golden beside
    /// the package (CI layout) and XCNN_GOLDEN_DIR (a case folder or a folder of cases); duplicates
    /// by real path dropped.
    static func discover(packageRoot: URL) -> [URL] {
        var roots = [packageRoot.appendingPathComponent("../shared/golden").standardized]
        if let extra = ProcessInfo.processInfo.environment["XCNN_GOLDEN_DIR"], !extra.isEmpty {
            roots.append(URL(fileURLWithPath: extra))
        }
        let files = FileManager.default
        var seen = Set<String>()
        var cases: [URL] = []
        func add(_ url: URL) {
            let real = url.resolvingSymlinksInPath().path
            if seen.insert(real).inserted { cases.append(url) }
        }
        for root in roots {
            if files.fileExists(atPath: root.appendingPathComponent("manifest.json").path) {
                add(root)
                continue
            }
            let children = (try? files.contentsOfDirectory(atPath: root.path)) ?? []
            for child in children.sorted()
            where files.fileExists(atPath: root.appendingPathComponent(child + "/manifest.json").path) {
                add(root.appendingPathComponent(child))
            }
        }
        return cases
    }
}

struct GoldenError: Error, CustomStringConvertible {
    let location: String, reason: String
    init(_ location: String, _ reason: String) {
        self.location = location
        self.reason = reason
    }
    var description: String { "\(location): \(reason)" }
}
