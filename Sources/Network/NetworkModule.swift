// Network module: explainer, classifier and the joint model (filled in by issue 3).
