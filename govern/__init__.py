"""govern: governed data for LoRA fine-tunes."""
__version__ = "0.1.0"
