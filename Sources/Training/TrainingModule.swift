// Training module: losses, optimizers, schedule, checkpoints (filled in by issues 3 and 5).
