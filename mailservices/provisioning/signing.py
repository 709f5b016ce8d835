"""The signer's files: OpenDKIM's KeyTable, SigningTable and one key file per selector,
written from the portal's (sealed) DKIM keys by `manage.py dkim_keys --out DIR`.

The private keys are sealed in the database, so OpenDKIM cannot read them over SQL; this
export opens them on the mail host. Each export is a set of its own, `DIR/<digest>/`,
named after its content; `DIR/current` is a symlink switched to the new set in one step
(`rename`), and the previous set stays, so an OpenDKIM that has not yet reloaded still
finds the key files its tables name. OpenDKIM reads the tables through `DIR/current`
(`opendkim.conf.portal`, written beside them) and reloads on SIGUSR1.

OpenDKIM 2.11 signs every key of an instance with one `SignatureAlgorithm`: an Ed25519
key in an RSA instance fails ("expecting an rsa key"). So the Ed25519 keys get tables of
their own (`KeyTable.ed25519`, `SigningTable.ed25519`) for a second instance
(`opendkim-ed25519.conf.portal`), chained after the first as a second milter.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

CURRENT = "current"
KEEP_SETS = 2  # the current set and the one before it


@dataclass(frozen=True)
class SigningKey:
    domain: str
    selector: str
    algorithm: str  # "rsa" | "ed25519"
    private_pem: str

    @property
    def key_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def file_name(self) -> str:
        return f"{self.domain}.{self.selector}.key"


# algorithm -> (suffix of its table files, OpenDKIM's SignatureAlgorithm, conf file)
ALGORITHMS = {
    "rsa": ("", "rsa-sha256", "opendkim.conf.portal"),
    "ed25519": (".ed25519", "ed25519-sha256", "opendkim-ed25519.conf.portal"),
}


def render_tables(keys: list[SigningKey], keys_dir: Path) -> dict[str, str]:
    """Per algorithm a KeyTable (`name domain:selector:keyfile`) and a SigningTable
    (`*@domain name`)."""
    files = {}
    for algorithm, (suffix, _name, _conf) in ALGORITHMS.items():
        chosen = sorted((k for k in keys if k.algorithm == algorithm), key=lambda k: k.domain)
        key_table = [
            f"{k.key_name} {k.domain}:{k.selector}:{keys_dir / k.file_name}" for k in chosen
        ]
        signing_table = [f"*@{k.domain} {k.key_name}" for k in chosen]
        files["KeyTable" + suffix] = "".join(line + "\n" for line in key_table)
        files["SigningTable" + suffix] = "".join(line + "\n" for line in signing_table)
    return files


def render_conf(out: Path, algorithm: str = "rsa") -> str:
    """The lines of opendkim.conf that make an OpenDKIM instance sign with the exported
    keys of one algorithm."""
    suffix, signature_algorithm, _conf = ALGORITHMS[algorithm]
    current = out / CURRENT
    return (
        f"# Written by `manage.py dkim_keys`: sign with the portal's {algorithm} DKIM keys.\n"
        f"KeyTable file:{current / ('KeyTable' + suffix)}\n"
        f"SigningTable refile:{current / ('SigningTable' + suffix)}\n"
        f"SignatureAlgorithm {signature_algorithm}\n"
        "Canonicalization relaxed/simple\n"
        "OversignHeaders From\n"
    )


def _digest(keys: list[SigningKey]) -> str:
    h = hashlib.sha256()
    for k in sorted(keys, key=lambda k: (k.domain, k.selector)):
        h.update(f"{k.domain}\0{k.selector}\0{k.algorithm}\0{k.private_pem}\0".encode())
    return h.hexdigest()[:16]


def _chown(path: Path, owner: tuple[int, int] | None) -> None:
    if owner is not None:
        os.chown(path, *owner, follow_symlinks=False)


def export(
    keys: list[SigningKey], out: Path, *, owner: tuple[int, int] | None = None
) -> tuple[Path, bool]:
    """Writes the set for `keys` under `out` and points `out/current` at it. Returns the
    set's directory and whether `current` changed (then the signer must reload)."""
    out.mkdir(parents=True, exist_ok=True, mode=0o750)
    name = _digest(keys)
    target = out / name
    current = out / CURRENT
    if current.is_symlink() and os.readlink(current) == name and target.is_dir():
        return target, False
    staging = out / f".{name}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    keys_dir = staging / "keys"
    keys_dir.mkdir(parents=True, mode=0o700)
    for key in keys:
        path = keys_dir / key.file_name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key.private_pem)
        _chown(path, owner)
    _chown(keys_dir, owner)
    for file_name, text in render_tables(keys, target / "keys").items():
        (staging / file_name).write_text(text, encoding="utf-8")
        _chown(staging / file_name, owner)
    staging.chmod(0o750)
    _chown(staging, owner)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    link = out / f".{CURRENT}.tmp"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(name)
    link.replace(current)  # one step: OpenDKIM sees the old set or the new one
    for algorithm, (_suffix, _name, conf) in ALGORITHMS.items():
        (out / conf).write_text(render_conf(out, algorithm), encoding="utf-8")
    _prune(out, keep={name})
    return target, True


def _prune(out: Path, *, keep: set[str]) -> None:
    """Removes old sets, keeping the newest `KEEP_SETS` (the current one among them)."""
    sets = sorted(
        (p for p in out.iterdir() if p.is_dir() and not p.is_symlink() and len(p.name) == 16),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    kept = set(keep)
    for path in sets:
        if path.name in kept:
            continue
        if len(kept) < KEEP_SETS:
            kept.add(path.name)
            continue
        shutil.rmtree(path, ignore_errors=True)
