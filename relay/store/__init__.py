"""The local SQLite store: accepted messages, bulletin states, status, receipts, outbox."""
