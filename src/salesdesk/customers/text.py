"""Pinyin for search: computed once when a name is written."""

from pypinyin import Style, lazy_pinyin


def pinyin_of(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a name, lowercase, without spaces: 杭州 → ("hangzhou", "hz")."""
    name = (name or "").strip()
    if not name:
        return "", ""
    full = lazy_pinyin(name, errors="default")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(full).lower().replace(" ", ""), "".join(initials).lower().replace(" ", "")
