"""The backup's encryption: every part of a backup (the database dump, each stored file, the
manifest) and the keys file is one stream sealed with AES-256-GCM in chunks of 1 MiB, so a
file of any size is encrypted and checked without being held in memory.

A sealed stream is

    header = MAGIC (8) | key id (8) | salt (16)
    chunk  = length with the "last" flag in its top bit (4, big-endian) | ciphertext + tag

Each stream has its own key, derived from the backup key and the header's random salt with
HKDF, so nonces (the chunk's number and its "last" flag) never repeat under one key. The
header and the part's name in the backup are the associated data of every chunk: a part
moved to another name, chunks reordered, dropped, cut off or changed, a "last" flag moved,
all fail to open. The key id (a keyed hash of the backup key, not the key) tells a wrong key
from a damaged file.

Nothing here imports Django: `python -m portal.backup open-keys` reads the keys file on a
machine that has no settings yet.
"""

import base64
import binascii
import hashlib
import hmac
import io
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"PBAK\x00\x01\r\n"
CHUNK = 1024 * 1024
HEADER_SIZE = 8 + 8 + 16
LAST = 0x8000_0000
TAG = 16


class BackupError(Exception):
    """A backup that cannot be written or read, said in one sentence for the operator."""


def parse_key(text, source):
    """A 32-byte key from its base64 text (standard or URL-safe alphabet, as
    `openssl rand -base64 32` or `python -m portal.backup new-key` write it)."""
    text = (text or "").strip()
    try:
        key = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise BackupError(
            f"{source} must hold 32 random bytes in base64 (44 characters), e.g. from "
            "`openssl rand -base64 32`"
        )
    return key


def load_key(key_file, variable):
    """The key in `key_file` if given, else in the environment variable `variable`."""
    if key_file:
        try:
            with open(key_file, encoding="ascii") as handle:
                return parse_key(handle.read(), f"the key file {key_file}")
        except (OSError, UnicodeDecodeError) as error:
            raise BackupError(f"cannot read the key file {key_file}: {error}") from None
    if not os.environ.get(variable):
        raise BackupError(f"no key: set {variable} or give a key file")
    return parse_key(os.environ[variable], variable)


def new_key():
    return base64.b64encode(os.urandom(32)).decode()


def key_id(key):
    """Names the key without revealing it: shown in errors, stored in every header."""
    return hmac.new(key, b"portal backup key id", hashlib.sha256).digest()[:8]


def _stream_key(key, salt):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"portal backup v1").derive(
        key
    )


def _nonce(index, last):
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class Sealer:
    """Writes a sealed stream to the binary file `out`: write() as often as needed, then
    close(). Counts the plaintext's bytes and its SHA-256 on the way."""

    def __init__(self, key, out, name):
        self.out = out
        salt = os.urandom(16)
        self.header = MAGIC + key_id(key) + salt
        self.aad = self.header + name.encode()
        self.aead = AESGCM(_stream_key(key, salt))
        self.index = 0
        self.buffer = bytearray()
        self.size = 0
        self.sha256 = hashlib.sha256()
        out.write(self.header)

    def _emit(self, data, last):
        sealed = self.aead.encrypt(_nonce(self.index, last), bytes(data), self.aad)
        self.out.write(struct.pack(">I", len(sealed) | (LAST if last else 0)))
        self.out.write(sealed)
        self.index += 1

    def write(self, data):
        self.size += len(data)
        self.sha256.update(data)
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._emit(self.buffer[:CHUNK], last=False)
            del self.buffer[:CHUNK]

    def close(self):
        self._emit(self.buffer, last=True)
        self.buffer = bytearray()


def seal_stream(key, source, out, name):
    """Seals everything read from the binary file `source`; returns (size, sha256 hex)."""
    sealer = Sealer(key, out, name)
    while data := source.read(CHUNK):
        sealer.write(data)
    sealer.close()
    return sealer.size, sealer.sha256.hexdigest()


def open_stream(key, source, name):
    """Yields the plaintext of the sealed stream read from `source`, chunk by chunk, and
    raises BackupError as soon as something is wrong: not a backup part, another key,
    damaged, cut short, or followed by extra bytes."""
    header = source.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
        raise BackupError(f"{name} is not a part of a portal backup (or is empty)")
    if not hmac.compare_digest(header[8:16], key_id(key)):
        raise BackupError(
            f"{name} was encrypted with another key (key id {header[8:16].hex()}, "
            f"the key given has {key_id(key).hex()})"
        )
    aad = header + name.encode()
    aead = AESGCM(_stream_key(key, header[16:]))
    index = 0
    while True:
        prefix = source.read(4)
        if len(prefix) < 4:
            raise BackupError(f"{name} is cut short (truncated): its last chunk is missing")
        (word,) = struct.unpack(">I", prefix)
        last, length = bool(word & LAST), word & ~LAST
        if length < TAG or length > CHUNK + TAG:
            raise BackupError(f"{name} is damaged (chunk {index} has an impossible length)")
        sealed = source.read(length)
        if len(sealed) < length:
            raise BackupError(f"{name} is cut short (truncated) in chunk {index}")
        try:
            yield aead.decrypt(_nonce(index, last), sealed, aad)
        except InvalidTag:
            raise BackupError(
                f"{name} has been altered or damaged (chunk {index} fails its check)"
            ) from None
        index += 1
        if last:
            break
    if source.read(1):
        raise BackupError(f"{name} has extra bytes after its end: altered or damaged")


def open_bytes(key, data, name):
    return b"".join(open_stream(key, io.BytesIO(data), name))


def seal_bytes(key, data, name):
    out = io.BytesIO()
    seal_stream(key, io.BytesIO(data), out, name)
    return out.getvalue()


class OpenedReader(io.RawIOBase):
    """A readable, non-seekable file of a sealed stream's plaintext, for a storage's save():
    a stored file is decrypted while it is written, never whole in memory. Checks the
    plaintext's SHA-256 against `sha256` at the end and raises BackupError if it differs."""

    def __init__(self, key, source, name, sha256=None):
        self.chunks = open_stream(key, source, name)
        self.pending = b""
        self.name_in_backup = name
        self.expected = sha256
        self.digest = hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                if self.expected and self.digest.hexdigest() != self.expected:
                    raise BackupError(
                        f"{self.name_in_backup} does not match the manifest's SHA-256"
                    ) from None
                return 0
            self.digest.update(self.pending)
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size
