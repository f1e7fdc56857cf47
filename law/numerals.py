"""The Chinese numerals the official texts print in their headings and citations."""

_DIGITS = "零一二三四五六七八九"
_UNITS = {"十": 10, "百": 100, "千": 1000}
_MAXIMUM = 9999


def int_to_chinese(number: int) -> str:
    """The numeral the official texts print: 十五 (not 一十五), 一百一十, 一百零五."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"expected an int, got {type(number).__name__}")
    if not 1 <= number <= _MAXIMUM:
        raise ValueError(f"{number} is outside 1..{_MAXIMUM}")
    parts = []
    zero_pending = False
    for unit, value in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit = number // value % 10
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        # Only a leading ten drops its 一; inside a larger number it is written out (一百一十).
        parts.append(unit if unit == "十" and digit == 1 and not parts else _DIGITS[digit] + unit)
    return "".join(parts)


def chinese_to_int(numeral: str) -> int:
    """Inverse of int_to_chinese, plus 零/〇 for zero and 〇 as the placeholder (一百〇五).

    Only the canonical spelling is accepted (not 一十五 nor 一百十) so that a typo in a
    heading is reported instead of being read as some other number."""
    if not isinstance(numeral, str):
        raise TypeError(f"expected a str, got {type(numeral).__name__}")
    normal = numeral.replace("〇", "零")
    if normal == "零":
        return 0
    total = 0
    pending = None
    for char in normal:
        if char == "零":
            continue
        if char in _UNITS:
            total += (1 if pending is None else pending) * _UNITS[char]
            pending = None
        elif char in _DIGITS:
            if pending is not None:
                raise ValueError(f"{numeral!r} is not a Chinese numeral")
            pending = _DIGITS.index(char)
        else:
            raise ValueError(f"{numeral!r} is not a Chinese numeral")
    total += pending or 0
    # The loop above is lenient; comparing with the canonical spelling is the real check.
    if not 1 <= total <= _MAXIMUM or int_to_chinese(total) != normal:
        raise ValueError(f"{numeral!r} is not a Chinese numeral")
    return total
