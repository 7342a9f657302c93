"""WeCom message crypto, implemented from the protocol description (BOTS.md W1–W2).

- signature: SHA-1 of the sorted, concatenated [token, timestamp, nonce, encrypt];
- key: base64decode(EncodingAESKey + "="), 32 bytes; AES-256-CBC with IV = key[:16];
- PKCS#7 padding to 32-byte blocks (an aligned body gets a full 32-byte pad);
- plaintext: random(16) ‖ len(msg) as 4 bytes big-endian ‖ msg ‖ receive id.

The receive id is the corp id for a self-built app and "" for the AI bot.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class WeComCryptoError(Exception):
    """A callback that must be rejected: bad signature, undecryptable body or wrong receiver."""

    code = "wecom_crypto"


class InvalidSignature(WeComCryptoError):
    code = "wecom_bad_signature"


class DecryptError(WeComCryptoError):
    code = "wecom_bad_ciphertext"


class WrongReceiver(WeComCryptoError):
    code = "wecom_wrong_receiver"


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


def _pad(data: bytes) -> bytes:
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def _unpad(data: bytes) -> bytes:
    if not data:
        raise DecryptError("empty plaintext")
    n = data[-1]
    if not 1 <= n <= BLOCK or data[-n:] != bytes([n]) * n:
        raise DecryptError("bad padding")
    return data[:-n]


class WeComCrypto:
    """Encrypts, decrypts and signs WeCom callback bodies for one app (token, key, receive id)."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise ValueError("WeCom EncodingAESKey must be the 43-character key from the admin console") from exc
        if len(key) != 32:
            raise ValueError("WeCom EncodingAESKey must decode to 32 bytes (43 characters in the admin console)")
        self.token = token
        self.key = key
        self.receive_id = receive_id

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        return signature(self.token, timestamp, nonce, encrypt)

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        expected = self.sign(timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected, (msg_signature or "").lower()):
            raise InvalidSignature("msg_signature does not match")

    def encrypt(self, message: str, random_prefix: bytes | None = None) -> str:
        prefix = random_prefix if random_prefix is not None else os.urandom(16)
        if len(prefix) != 16:
            raise ValueError("random prefix must be 16 bytes")
        body = message.encode("utf-8")
        plain = prefix + struct.pack(">I", len(body)) + body + self.receive_id.encode("utf-8")
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(_pad(plain)) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypt: str) -> str:
        """Decrypt and check the receive id; raise a WeComCryptoError subclass on any problem."""
        try:
            raw = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DecryptError("ciphertext is not base64") from exc
        if not raw or len(raw) % 16:
            raise DecryptError("ciphertext length is not a multiple of the AES block")
        decryptor = self._cipher().decryptor()
        plain = _unpad(decryptor.update(raw) + decryptor.finalize())
        if len(plain) < 20:
            raise DecryptError("plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise DecryptError("declared message length exceeds the plaintext")
        try:
            message = plain[20 : 20 + length].decode("utf-8")
            receive_id = plain[20 + length :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecryptError("plaintext is not UTF-8") from exc
        if not hmac.compare_digest(receive_id.encode(), self.receive_id.encode()):
            raise WrongReceiver(f"message is addressed to receive id {receive_id!r}, not this app")
        return message

    def verify_and_decrypt(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> str:
        self.verify(msg_signature, timestamp, nonce, encrypt)
        return self.decrypt(encrypt)
