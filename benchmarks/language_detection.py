"""How often English questions are taken for another language, and what detection costs.

Usage: python benchmarks/language_detection.py [SQUAD_JSON] [SELQA_JSON]
(defaults: ../shared/eval/squad-dev-v1.1.json and ../shared/eval/selqa-ass-dev.json)

Prints, per set, the questions, how many needed the detector model (did not look English),
how many came out other than English, and the time; then the cost of the first detection
(loading the model) and of one more.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from embeddings.language import detect_language, looks_english

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def squad_questions(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        qa["question"]
        for article in data["data"]
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]


def selqa_questions(path: Path) -> list[str]:
    return [item["question"] for item in json.loads(path.read_text(encoding="utf-8"))]


def main() -> None:
    squad = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED / "squad-dev-v1.1.json"
    selqa = Path(sys.argv[2]) if len(sys.argv) > 2 else SHARED / "selqa-ass-dev.json"
    start = time.perf_counter()
    detect_language("Скільки політв'язнів утримують у Криму?")
    first = time.perf_counter() - start
    start = time.perf_counter()
    detect_language("Сколько политзаключенных содержится в Крыму?")
    again = time.perf_counter() - start
    print(f"{'set':8} {'questions':>9} {'model used':>10} {'not English':>11} {'time':>8}")
    for name, questions in (("SQuAD", squad_questions(squad)), ("SelQA", selqa_questions(selqa))):
        start = time.perf_counter()
        wrong = [q for q in questions if detect_language(q) != "en"]
        elapsed = time.perf_counter() - start
        needed = sum(not looks_english(q) for q in questions)
        print(f"{name:8} {len(questions):9d} {needed:10d} {len(wrong):11d} {elapsed:7.2f}s")
        for question in wrong[:10]:
            print(f"    {question!r}")
    print(f"first detection (loads the model): {first * 1000:.0f} ms; next: {again * 1000:.1f} ms")


if __name__ == "__main__":
    main()
