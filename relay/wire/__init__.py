"""Wire layer: bytes <-> signed messages. Protobuf lives here and nowhere above."""
