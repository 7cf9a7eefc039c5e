"""Which encoding a report file is in: UTF-8 (with or without BOM), else GB18030 or Big5 as detected;
and whether it is text at all.

Chinese government exports are often GBK; GB18030 is its superset, so GBK files are read as GB18030.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

SAMPLE = 256 * 1024
CANDIDATES = ["gb18030", "big5"]
ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "utf_8": "utf-8", "big5hkscs": "big5"}


def _utf8_prefix_ok(sample: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        decoder.decode(sample, final=False)  # a character cut at the sample's end is not an error
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes) -> str:
    """The encoding to read a file whose first bytes are `sample`."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if _utf8_prefix_ok(sample):
        return "utf-8"
    best = from_bytes(sample, cp_isolation=CANDIDATES).best()
    name = best.encoding if best is not None else "gb18030"
    return ALIASES.get(name, name)


# Bytes below 0x20 that text files hold: tab, line feed, vertical tab, form feed, carriage return, escape.
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1b")
MAX_CONTROL_SHARE = 0.05


def binary_content(sample: bytes) -> str | None:
    """Why the bytes are not a text file (NUL bytes, many control bytes), or None when they may be.

    No encoding we read puts NUL or other control bytes in text, so a program, an image or an archive
    given a text extension is refused instead of being tagged as garbage."""
    if b"\x00" in sample:
        return "NUL bytes"
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in _TEXT_CONTROLS)
    if sample and controls / len(sample) > MAX_CONTROL_SHARE:
        return f"{controls / len(sample):.0%} control bytes"
    return None
