"""Build core/data/known_drugs.json from the RxNorm vocabulary table (exact names only).

Source: ``rxnorm_vocabulary.tsv`` (shared/reference, described in its README): RxNorm IN, PIN,
MIN and BN names from NLM RxNorm via the public extracts ``davidanderson3/rxnorm-ingredients``
(commit a8fcf13a, probably the Current Prescribable Content of 06 Oct 2025) and
``meerapatelmd/setupRxNorm`` (RxClass dumps of Feb/Mar 2022, for the names starting with "A").
Each name is stored with the RxNorm ingredient (IN) names it stands for (an IN for itself, a
PIN (salt) for the IN its name starts with, a MIN for its components, a BN for the
ingredients every one of its products shares) and its index key. The formulary maps these to
its own generics.

Run: ``python tools/build_known_drugs.py PATH/TO/rxnorm_vocabulary.tsv``
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.formulary.tokens import name_key  # noqa: E402

OUT = ROOT / "core" / "data" / "known_drugs.json"


def _in_of_pin(name: str, ins: dict[str, str]) -> str:
    """The IN a salt name starts with ("warfarin sodium" -> "warfarin"), else the name."""
    words = name.replace(",", " ").split()
    for n in range(len(words) - 1, 0, -1):
        hit = ins.get(" ".join(words[:n]).casefold())
        if hit is not None:
            return hit
    return name


def build(tsv: Path) -> tuple[str, str, list[list[object]]]:
    """Read the table and return the JSON document."""
    raw = tsv.read_bytes()
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines(), delimiter="\t"))
    ins = {r["name"].casefold(): r["name"] for r in rows if r["tty"] == "IN"}
    names: list[list[object]] = []
    for r in rows:
        name, tty = r["name"], r["tty"]
        if tty == "IN":
            ingredients = [name]
        elif tty == "PIN":
            ingredients = [_in_of_pin(name, ins)]
        elif tty == "MIN":
            ingredients = [p.strip() for p in r["ingredients"].split(" / ") if p.strip()]
        else:
            sets = [
                {p.strip() for p in s.split(" / ") if p.strip()}
                for s in r["ingredients"].split(" | ")
                if s.strip()
            ]
            shared = set.intersection(*sets) if sets else set()
            ingredients = sorted(shared, key=str.casefold)
        if ingredients:
            # The index key is stored so that start-up need not tokenise 9,000 names; a test
            # holds every stored key equal to name_key(name).
            names.append([name, tty, ingredients, name_key(name)])
    digest = hashlib.sha256(raw).hexdigest()
    source = (
        "NLM RxNorm names (IN, PIN, MIN, BN) from shared/reference/rxnorm_vocabulary.tsv "
        f"(sha256 {digest}); see tools/build_known_drugs.py"
    )
    return "rxnorm-vocabulary-" + digest[:12], source, names


def main() -> None:
    """Write core/data/known_drugs.json, one name a line."""
    version, source, names = build(Path(sys.argv[1]))
    lines = ",\n".join("    " + json.dumps(n, ensure_ascii=False) for n in names)
    OUT.write_text(
        "{\n"
        f'  "version": {json.dumps(version)},\n'
        f'  "source": {json.dumps(source)},\n'
        f'  "names": [\n{lines}\n  ]\n}}\n',
        encoding="utf-8",
    )
    print(f"{OUT}: {len(names)} names")


if __name__ == "__main__":
    main()
