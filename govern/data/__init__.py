"""Reading training data: located parse errors, canonical records, text fields and chat paths."""
