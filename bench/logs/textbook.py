"""The textbook answer to "how many ERRORs?", as pasted in incident channels.

    python3 textbook.py FILE WORD...     prints "COUNT WORD" per word found (upper case)

Line by line, `re.findall` with word boundaries, one count per occurrence. Two concessions to
reality that the copy-pasted version learns the hard way, so that it finishes at all: bytes
that are not UTF-8 are replaced (plain `open(path)` dies with UnicodeDecodeError on the first
one), and `.gz` files go through `gzip.open` (plain `open` reads compressed bytes). The level
words come from the benchmark (canonical names and their aliases), the same for every tool.
"""

import gzip
import re
import sys
from collections import Counter


def main(path, words):
    pattern = re.compile(r"\b(" + "|".join(words) + r")\b", re.IGNORECASE)
    opener = gzip.open if path.endswith(".gz") else open
    counts = Counter()
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            for word in pattern.findall(line):
                counts[word.upper()] += 1
    for word, count in counts.most_common():
        print(count, word)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
