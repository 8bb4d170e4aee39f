// Wall-clock intervals for throughput figures (monotonic, unaffected by clock changes).
import Dispatch

public struct Stopwatch: Sendable {
    private let start = DispatchTime.now().uptimeNanoseconds

    public init() {}

    public var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}
