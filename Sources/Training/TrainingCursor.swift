// Where training stands, as checkpoints store it: the phase (or the end of the run), the epoch and
// batch within it, the step counters, the phase's best validation so far and the epoch's sums.
import Network

/// Where training stands, enough to continue bit for bit. All randomness is counter-based (data
/// order from (seed, phase, epoch); dropout from (seed, global step, rank)), so the seed and the
/// counters are the whole RNG state.
public struct TrainingCursor: Equatable, Sendable {
    /// The phase being trained; nil once the run has finished.
    public var phase: Phase?
    /// Epoch within the phase, 0-based, and the number of batches of it already trained.
    public var epoch: Int
    public var batchInEpoch: Int
    /// Optimizer steps taken since the run started (all phases).
    public var globalStep: Int
    public var worldSize: Int
    public var seed: UInt64
    /// Best validation loss of this phase so far and the epoch that reached it.
    public var bestValidationLoss: Double?
    public var bestEpoch: Int?
    /// Sums over the current epoch's steps so far, so a resumed epoch reports what it would have.
    public var epochTotals = EpochTotals()
    /// Optimizer updates since the current phase started (Adam's bias correction counts them);
    /// nil in checkpoints written before it was kept, where it is epoch × steps per epoch + batch.
    public var stepsInPhase: Int?
    /// Phase 1's first-epoch training loss, the reference of the early-stop rule
    /// (TrainingConfiguration.phase1StopLossRatio); nil until that epoch ends or when the rule is off.
    public var phaseStartLoss: Double?

    public init(
        phase: Phase?, epoch: Int, batchInEpoch: Int, globalStep: Int, worldSize: Int, seed: UInt64,
        bestValidationLoss: Double? = nil, bestEpoch: Int? = nil
    ) {
        self.phase = phase
        self.epoch = epoch
        self.batchInEpoch = batchInEpoch
        self.globalStep = globalStep
        self.worldSize = worldSize
        self.seed = seed
        self.bestValidationLoss = bestValidationLoss
        self.bestEpoch = bestEpoch
    }

    /// Whether this cursor stands further along the same run than `other`: a later step, or at the
    /// same step a later phase (a phase's end and the next phase's start share their step), the
    /// finished run last.
    public func isAhead(of other: TrainingCursor) -> Bool {
        func order(_ phase: Phase?) -> Int { phase?.rawValue ?? Int.max }
        return (globalStep, order(phase)) > (other.globalStep, order(other.phase))
    }
}

extension TrainingCursor: Codable {
    /// The phase as the JSON of every version holds it: 1, 2, 3, or 4 once the run has finished, so
    /// checkpoints of earlier versions read here and this version's read there.
    static let finishedPhaseNumber = 4

    enum CodingKeys: String, CodingKey {
        case phase, epoch, batchInEpoch, globalStep, worldSize, seed, bestValidationLoss, bestEpoch, epochTotals,
            stepsInPhase, phaseStartLoss
    }

    /// Every number is bounded before use, like every number read from a file: a cursor out of
    /// range is a TrainingError naming its numbers (the caller adds the file).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let number = try c.decode(Int.self, forKey: .phase)
        self.init(
            phase: Phase(rawValue: number), epoch: try c.decode(Int.self, forKey: .epoch),
            batchInEpoch: try c.decode(Int.self, forKey: .batchInEpoch),
            globalStep: try c.decode(Int.self, forKey: .globalStep),
            worldSize: try c.decode(Int.self, forKey: .worldSize),
            seed: try c.decode(UInt64.self, forKey: .seed),
            bestValidationLoss: try c.decodeIfPresent(Double.self, forKey: .bestValidationLoss),
            bestEpoch: try c.decodeIfPresent(Int.self, forKey: .bestEpoch))
        epochTotals = try c.decode(EpochTotals.self, forKey: .epochTotals)
        stepsInPhase = try c.decodeIfPresent(Int.self, forKey: .stepsInPhase)
        phaseStartLoss = try c.decodeIfPresent(Double.self, forKey: .phaseStartLoss)
        guard phase != nil || number == Self.finishedPhaseNumber, epoch >= 0, batchInEpoch >= 0, globalStep >= 0,
            worldSize >= 1
        else {
            throw TrainingError(
                "the training cursor is out of range (phase \(number), epoch \(epoch), batch \(batchInEpoch), "
                    + "step \(globalStep), ranks \(worldSize))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(phase?.rawValue ?? Self.finishedPhaseNumber, forKey: .phase)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(batchInEpoch, forKey: .batchInEpoch)
        try c.encode(globalStep, forKey: .globalStep)
        try c.encode(worldSize, forKey: .worldSize)
        try c.encode(seed, forKey: .seed)
        try c.encodeIfPresent(bestValidationLoss, forKey: .bestValidationLoss)
        try c.encodeIfPresent(bestEpoch, forKey: .bestEpoch)
        try c.encode(epochTotals, forKey: .epochTotals)
        try c.encodeIfPresent(stepsInPhase, forKey: .stepsInPhase)
        try c.encodeIfPresent(phaseStartLoss, forKey: .phaseStartLoss)
    }
}

/// Training metrics summed over the steps of an epoch, already reduced across ranks.
public struct EpochTotals: Codable, Equatable, Sendable {
    public var loss = 0.0
    public var correct = 0.0
    public var images = 0.0
    public var steps = 0.0
    public init() {}
}
