// Which inference statistics the explainer head's batch norm uses, as a configuration value
// ("population", "running" in JSON and flags).

public enum BatchNormStatistics: String, Codable, Sendable, CaseIterable {
    /// Recomputed before each validation and checkpoint over fixed training batches per rank,
    /// averaged across ranks (BatchNormPopulation).
    case population
    /// The momentum average alone (Keras, the paper).
    case running
}
