"""The text of a WeasyPrint PDF, read back through each font's ToUnicode map (tests only).

WeasyPrint writes text as glyph ids of subset CID fonts (Identity-H), compresses the streams
and packs the dictionaries into object streams; SVG text anchored at its end or middle goes
into form XObjects. This unpacks all of that, follows the font selected by each `Tf` and maps
every glyph id back to its character, so a test can look for words and figures.
"""

from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj\b")
_STREAM = re.compile(rb"stream\r?\n")


def objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """{object number: (dictionary text, decompressed stream or None)}, object streams unpacked."""
    found: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJ.finditer(data):
        end_obj = data.find(b"endobj", match.end())
        start = _STREAM.search(data, match.end(), end_obj if end_obj > 0 else len(data))
        head = data[match.end() : start.start() if start else end_obj]
        body = None
        if start:
            raw = data[start.end() : data.find(b"endstream", start.end())]
            try:
                body = zlib.decompress(raw) if b"/FlateDecode" in head else raw
            except zlib.error:
                body = None
        found[int(match.group(1))] = (head, body)
    for head, body in list(found.values()):
        if b"/ObjStm" in head and body:
            first = int(re.search(rb"/First (\d+)", head).group(1))
            numbers = [int(x) for x in body[:first].split()]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for i, (number, offset) in enumerate(pairs):
                stop = pairs[i + 1][1] if i + 1 < len(pairs) else len(body) - first
                found[number] = (body[first + offset : first + stop], None)
    return found


def _cmap(body: bytes) -> dict[bytes, str]:
    table: dict[bytes, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", body, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            table[src.lower()] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", body, re.S):
        pattern = rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>"
        for low, high, dst in re.findall(pattern, block):
            for i, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                table[f"{code:0{len(low)}x}".encode()] = chr(int(dst, 16) + i)
    return table


def embedded_fonts(data: bytes) -> dict[str, bool]:
    """{base font name: whether its font program is embedded (a /FontFile entry)}."""
    found = objects(data)
    descriptors = {}
    for head, _body in found.values():
        name = re.search(rb"/FontName\s*/([\w+-]+)", head)
        if name and b"/FontDescriptor" in head:
            descriptors[name.group(1).decode()] = bool(re.search(rb"/FontFile\d?\s+\d+ 0 R", head))
    return descriptors


def text(data: bytes) -> str:
    """Every text block of the PDF (pages and form XObjects), one per line."""
    found = objects(data)
    maps = {}
    for head, _body in found.values():
        tag = re.search(rb"/BaseFont\s*/(\w+)\+", head)
        ref = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if tag and ref and found.get(int(ref.group(1)), (b"", None))[1]:
            maps[tag.group(1)] = _cmap(found[int(ref.group(1))][1])
    lines = []
    for _head, body in found.values():
        if not body or b"BT" not in body or b" Tf" not in body:
            continue
        for block in re.findall(rb"\bBT\b(.*?)\bET\b", body, re.S):
            table: dict[bytes, str] = {}
            line = []
            for token in re.finditer(rb"/(\w+) [\d.]+ Tf|<([0-9a-fA-F]+)>", block):
                if token.group(1):
                    table = maps.get(token.group(1), {})
                    continue
                code = token.group(2).lower()
                line.extend(table.get(code[i : i + 4], "\ufffd") for i in range(0, len(code), 4))
            lines.append("".join(line))
    return "\n".join(lines)
