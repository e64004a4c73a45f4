"""Sensitivity and specificity of the acute-sign screen (R11) on labelled messages.

    python -m bench.acute_corpus [FILE ...] [--misses]

Each FILE is JSON Lines: {"text": …, "acute": true|false, "categories": [labels]}. Without FILE
it reads the corpus the tests use (tests/domain/corpus/*.jsonl) and prints one line per file:
messages, sensitivity (acute messages flagged), specificity (calm messages not flagged) and how
many acute messages were flagged with every category a clinician named. `--misses` lists what
was missed or flagged wrongly, with what matched.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bcc_tui.domain import acute

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "domain" / "corpus"


@dataclass
class Score:
    acute: int = 0
    calm: int = 0
    flagged: int = 0  # acute and flagged
    quiet: int = 0  # calm and not flagged
    categories_right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def sensitivity(self) -> float:
        return self.flagged / self.acute if self.acute else 1.0

    @property
    def specificity(self) -> float:
        return self.quiet / self.calm if self.calm else 1.0


def score(lines: list[dict], rules: acute.Rules = acute.DEFAULT_RULES) -> Score:
    s = Score()
    for item in lines:
        found = acute.screen(item["text"], rules)
        if item["acute"]:
            s.acute += 1
            if found:
                s.flagged += 1
                if set(item.get("categories") or ()) <= set(acute.labels(found)):
                    s.categories_right += 1
            else:
                s.misses.append(f"MISSED  {item['text']}")
        else:
            s.calm += 1
            if found:
                s.misses.append(f"FLAGGED {item['text']}  ->  {acute.summary(found)}")
            else:
                s.quiet += 1
    return s


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args(argv)
    files = args.files or sorted(CORPUS.glob("*.jsonl"))
    for path in files:
        s = score(read(path))
        print(
            f"{path.name}: {s.acute + s.calm} messages ({s.acute} acute, {s.calm} calm): "
            f"sensitivity {s.sensitivity:.1%} ({s.flagged}/{s.acute}), "
            f"specificity {s.specificity:.1%} ({s.quiet}/{s.calm}), "
            f"categories as labelled {s.categories_right}/{s.flagged}"
        )
        if args.misses:
            for line in s.misses:
                print("   ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
