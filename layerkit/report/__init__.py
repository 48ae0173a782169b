"""Stage 7, report: what people and machines read — rich tables and progress on a
terminal, plain lines in logs, JSON with a versioned schema, markdown."""
