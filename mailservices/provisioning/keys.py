"""DKIM key pairs made with `cryptography`: RSA 2048 (public half as base64 DER for p=),
and Ed25519 (RFC 8463) where chosen."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_SIZE = 2048


def generate_key_pair(key_size: int = KEY_SIZE) -> tuple[str, str]:
    """(private key PEM, public key base64 DER SubjectPublicKeyInfo)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, base64.b64encode(der).decode()


def public_key_of(private_key_pem: str) -> str:
    """The base64 DER public key that belongs to a PEM private key."""
    private = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def generate_ed25519_key_pair() -> tuple[str, str]:
    """(private key PEM, public key as DKIM's p= for k=ed25519: the raw 32 bytes, base64)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    private = ed25519.Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return pem, base64.b64encode(raw).decode()
