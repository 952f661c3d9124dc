"""LoRA fine-tuning on attested snapshots: config, data, training, manifest and adapters."""
