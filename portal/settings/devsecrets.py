"""Development secrets: generated on first use and kept in var/, which git ignores."""

from pathlib import Path


def load_or_create(path: Path, generators: dict) -> dict[str, str]:
    """Values for each name in generators, generating (and keeping) the missing ones."""
    values = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.startswith("#"):
                values[key.strip()] = value.strip()
    missing = [name for name in generators if not values.get(name)]
    if missing:
        for name in missing:
            values[name] = generators[name]()
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = ["# Generated for local development only. Never use these in production."]
        lines += [f"{key}={value}" for key, value in values.items()]
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o600)
    return values
