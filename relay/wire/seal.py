"""Sealing personal data end to end between two certified keys, with no new key material.

Help requests carry names, addresses and free text that other support points on the same
channel must not read (a Meshtastic channel key is shared by every node). Each node
already holds an Ed25519 identity key, certified by the region root; the same key gives
an X25519 key pair, exactly as libsodium's ``crypto_sign_ed25519_sk_to_curve25519`` /
``crypto_sign_ed25519_pk_to_curve25519`` do:

* private: the Ed25519 secret scalar, i.e. SHA-512(seed)[:32], clamped;
* public: the birational map from the Edwards y coordinate to Montgomery u,
  ``u = (1 + y) / (1 - y) mod 2^255 - 19``.

So no certificate field, no key exchange over the air and no extra bytes are needed.
A sealed part is ``ChaCha20-Poly1305(key, nonce, plaintext)``: the 16-byte tag is its
whole overhead. Key and nonce come from HKDF-SHA256 over the static-static X25519
secret, with ``info`` binding a label (what is sealed), the sender's and the recipient's
key ids and the sender's sequence number. A key never signs two messages with the same
sequence number, so no (key, nonce) pair is ever used twice, and a sealed part cannot be
moved into another message (it would open under no other key id or number).

What this does not give (and why it is acceptable here): there is no forward secrecy.
Whoever later steals the hub's or the point's private key can open every message sealed
between them; an ephemeral key would cost 32 bytes of a 231-byte frame per message. The
lengths of the sealed parts are visible (after compression), and the public fields (type,
urgency, number of people, state) are meant to be readable.
"""

from __future__ import annotations

import hashlib
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from relay.errors import TrustError
from relay.wire.keys import PrivateKey, PublicKey

#: Field prime of Curve25519 / Ed25519.
P = 2**255 - 19
TAG_BYTES = 16
_SALT = b"noodrelay seal v1"
_KEY_BYTES = 32
_NONCE_BYTES = 12


class UnsealableError(TrustError):
    """A sealed part that does not open: damaged, or sealed between other keys."""


def x25519_private_bytes(key: PrivateKey) -> bytes:
    """The X25519 private key of an Ed25519 key: its clamped secret scalar."""
    seed = key.key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    scalar = bytearray(hashlib.sha512(seed).digest()[:32])
    scalar[0] &= 248
    scalar[31] &= 127
    scalar[31] |= 64
    return bytes(scalar)


def x25519_public_bytes(public: PublicKey | bytes) -> bytes:
    """The X25519 public key (Montgomery u) of a raw Ed25519 public key."""
    raw = public.raw if isinstance(public, PublicKey) else public
    if len(raw) != 32:
        raise UnsealableError(f"an Ed25519 public key has 32 bytes, not {len(raw)}")
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)  # the top bit is x's sign
    if y >= P or (1 - y) % P == 0:
        raise UnsealableError("not a usable Ed25519 public key (no Montgomery form)")
    u = (1 + y) * pow(1 - y, -1, P) % P
    return u.to_bytes(32, "little")


def _secret(own: PrivateKey, peer: PublicKey) -> bytes:
    private = X25519PrivateKey.from_private_bytes(x25519_private_bytes(own))
    try:
        return private.exchange(X25519PublicKey.from_public_bytes(x25519_public_bytes(peer)))
    except ValueError as err:  # a small-order peer key gives an all-zero secret
        raise UnsealableError(f"cannot agree a key with {peer.name or 'that key'}") from err


def _key_nonce(
    secret: bytes, label: bytes, sender_id: int, recipient_id: int, seq: int
) -> tuple[bytes, bytes]:
    info = label + struct.pack(">III", sender_id, recipient_id, seq)
    okm = HKDF(
        algorithm=hashes.SHA256(), length=_KEY_BYTES + _NONCE_BYTES, salt=_SALT, info=info
    ).derive(secret)
    return okm[:_KEY_BYTES], okm[_KEY_BYTES:]


def seal(
    sender: PrivateKey, recipient: PublicKey, seq: int, label: bytes, plaintext: bytes
) -> bytes:
    """Seal ``plaintext`` for ``recipient`` in ``sender``'s message number ``seq``."""
    key, nonce = _key_nonce(_secret(sender, recipient), label, sender.key_id, recipient.key_id, seq)
    return ChaCha20Poly1305(key).encrypt(nonce, plaintext, None)


def unseal(
    own: PrivateKey,
    peer: PublicKey,
    *,
    sender_id: int,
    recipient_id: int,
    seq: int,
    label: bytes,
    sealed: bytes,
) -> bytes:
    """Open a sealed part between ``own`` and ``peer`` (either side may open it: the
    recipient, or the sender reading back what it sealed)."""
    if len(sealed) < TAG_BYTES:
        raise UnsealableError(f"a sealed part of {len(sealed)} bytes is too short")
    key, nonce = _key_nonce(_secret(own, peer), label, sender_id, recipient_id, seq)
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, sealed, None)
    except InvalidTag as err:
        raise UnsealableError("the sealed part does not open with these keys (damaged?)") from err


def pair_key(own: PrivateKey, peer: PublicKey, label: bytes, point_id: int, hub_id: int) -> bytes:
    """A 32-byte key that a point and its hub both derive, with nothing on the air: HKDF
    over the same static-static X25519 secret as :func:`seal`, bound to ``label`` and to
    both key ids (the point's first, whichever side computes it)."""
    info = label + struct.pack(">II", point_id, hub_id)
    return HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=_SALT, info=info).derive(
        _secret(own, peer)
    )
