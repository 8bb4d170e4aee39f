// swift-tools-version:6.0
// xcnn: a data-parallel trainer for the explainer+classifier CNN (see README.md).
import Foundation
import PackageDescription

// Swift's x86-64 baseline is SSE2, which leaves the kernels' SIMD8/SIMD16 loops (Winograd transforms,
// masks, the optimizer) at a quarter of their width; AVX2 + FMA (every x86 server CPU since 2013)
// made a 64² training step 15% faster (docs/perf/README.md). XCNN_TARGET_CPU=generic builds for the baseline;
// CPUGuard refuses to run a binary built for AVX2 on a CPU without it, with a message.
let targetCPU = ProcessInfo.processInfo.environment["XCNN_TARGET_CPU"] ?? "haswell"
#if arch(x86_64)
let usesTargetCPU = targetCPU != "generic"
#else
let usesTargetCPU = false
#endif
let cpuSettings: [SwiftSetting] = usesTargetCPU ? [.unsafeFlags(["-target-cpu", targetCPU])] : []
// skylake-avx512 is the second build that the AVX2 build hands over to on CPUs with AVX-512
// (scripts/build-release installs it as .build/release/avx512/xcnn; Sources/xcnn/KernelBuild.swift).
let guardSettings: [CSetting] = usesTargetCPU
    ? [.define("XCNN_TARGET_CPU", to: "\"\(targetCPU)\""),
       .define(targetCPU == "skylake-avx512" ? "XCNN_REQUIRES_AVX512" : "XCNN_REQUIRES_AVX2")] : []

let package = Package(
    name: "xcnn",
    products: [
        .executable(name: "xcnn", targets: ["xcnn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C shims over the system libraries (Debian: libopenmpi-dev, libopenblas-dev, libpng-dev,
        // libjpeg62-turbo-dev); flags come from pkg-config, so no unsafeFlags are needed.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c"),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas"),
        .target(
            name: "CImage",
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]
        ),

        .target(name: "CPUGuard", cSettings: guardSettings),

        .target(name: "MessagePassing", dependencies: ["CMPI"], swiftSettings: cpuSettings),
        .target(name: "Kernels", dependencies: ["CBLAS"], exclude: ["Convolution/README.md"], swiftSettings: cpuSettings),
        .target(name: "Network", dependencies: ["Kernels"], swiftSettings: cpuSettings),
        .target(name: "Datasets", dependencies: ["CImage", "Kernels"], swiftSettings: cpuSettings),
        .target(name: "Attribution", dependencies: ["Kernels", "Network", "MessagePassing"], swiftSettings: cpuSettings),
        // Figures and pages: viridis panels, PNG data URIs, the HTML report and the maps file of evaluate.
        .target(name: "Report", dependencies: ["Attribution", "Datasets", "Training"], swiftSettings: cpuSettings),
        .target(name: "Training", dependencies: ["Kernels", "Network", "Datasets", "MessagePassing"], swiftSettings: cpuSettings),
        .executableTarget(
            name: "xcnn",
            dependencies: ["CPUGuard", "Kernels", "Network", "Datasets", "Training", "MessagePassing", "Attribution", "Report",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: cpuSettings
        ),

        .testTarget(name: "MessagePassingTests", dependencies: ["MessagePassing"], swiftSettings: cpuSettings),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"], swiftSettings: cpuSettings),
        .testTarget(name: "NetworkTests", dependencies: ["Network", "Kernels"], swiftSettings: cpuSettings),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"], resources: [.copy("Fixtures")],
                    swiftSettings: cpuSettings),
        .testTarget(name: "AttributionTests", dependencies: ["Attribution", "Kernels", "Network", "Training"],
                    resources: [.copy("Golden")], swiftSettings: cpuSettings),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Attribution", "Training", "MessagePassing"],
                    swiftSettings: cpuSettings),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Network", "Kernels", "Datasets", "MessagePassing"],
                    swiftSettings: cpuSettings),
        // What lives in the command line itself (its benchmarks), through @testable import of the executable.
        .testTarget(name: "XCNNTests", dependencies: ["xcnn", "Datasets", "Network"], swiftSettings: cpuSettings),
    ]
)

// libFuzzer targets (Tests/Fuzz/<name>, run by scripts/fuzz) join the package only when XCNN_FUZZ=1.
// Their entry calls libFuzzer's driver, which only `-sanitize=fuzzer` links, so a normal
// `swift build` (which builds every executable target) would fail to link them; and they would add
// six targets to every build and test run. scripts/fuzz sets the variable and builds with its own
// scratch path (.build-fuzz), so the fuzz build never invalidates the normal one.
if ProcessInfo.processInfo.environment["XCNN_FUZZ"] == "1" {
    let fuzzTargets: [(name: String, directory: String, dependencies: [Target.Dependency])] = [
        ("FuzzSafetensors", "safetensors", ["Training"]),
        ("FuzzVOCAnnotation", "voc-annotation", ["Datasets"]),
        ("FuzzImageSets", "imagesets", ["Datasets"]),
        ("FuzzImage", "image", ["Datasets"]),
        ("FuzzConfig", "config", ["Training"]),
    ]
    package.targets.append(.target(name: "FuzzDriver", path: "Tests/Fuzz/driver"))
    for fuzz in fuzzTargets {
        package.targets.append(.executableTarget(
            name: fuzz.name, dependencies: fuzz.dependencies + ["FuzzDriver"], path: "Tests/Fuzz/\(fuzz.directory)",
            exclude: ["corpus", "findings", "fuzz.dict"], sources: ["\(fuzz.name).swift"]
        ))
    }
}
