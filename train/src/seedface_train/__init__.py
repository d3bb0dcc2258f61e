"""seedface training pipeline: faces → VAE → fitted prior → ONNX decoder → quantised → manifest."""
