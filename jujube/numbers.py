"""Numbers said in other languages' words, read out as digits ("五十块左右" -> "around 50 yuan").

The budget, headcount and quantity readers understand digits and English cue words; a language's
overlay (knowledge/zh/numbers.yml) lists its numerals, the cue words that follow a number ("以内"
is "under"), and the words to read as English ("块" is "yuan", "岁" is "years old").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class NumberWords:
    """One or more languages' number words."""

    digits: dict[str, int] = field(default_factory=dict)  # 五 -> 5
    scales: dict[str, int] = field(default_factory=dict)  # 百 -> 100
    after: dict[str, str] = field(default_factory=dict)  # 以内 -> under: said after the number
    words: dict[str, str] = field(default_factory=dict)  # 块 -> yuan
    counted: tuple[str, ...] = ()  # words after a numeral that make it a number (个, 斤, 盒)

    @classmethod
    def read(cls, raw: dict[str, Any]) -> "NumberWords":
        """From a numbers.yml mapping."""
        return cls(digits={str(k): int(v) for k, v in (raw.get("digits") or {}).items()},
                   scales={str(k): int(v) for k, v in (raw.get("scales") or {}).items()},
                   after={str(k): str(v) for k, v in (raw.get("after") or {}).items()},
                   words={str(k): str(v) for k, v in (raw.get("words") or {}).items()},
                   counted=tuple(str(w) for w in raw.get("counted") or ()))

    @classmethod
    def merge(cls, many: list["NumberWords"]) -> "NumberWords":
        """Several languages' tables as one."""
        out = cls()
        for n in many:
            out = cls({**out.digits, **n.digits}, {**out.scales, **n.scales}, {**out.after, **n.after},
                      {**out.words, **n.words}, out.counted + n.counted)
        return out

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """Every word of the table: numerals, cues, units."""
        return tuple(self.digits) + tuple(self.scales) + tuple(self.after) + tuple(self.words) + self.counted

    def value(self, numeral: str) -> str | None:
        """"五十" -> "50", "一百五" -> "150", "三五十" -> "30 to 50"; None when it is not a number."""
        chars = list(numeral)
        if len(chars) >= 3 and chars[0] in self.digits and chars[1] in self.digits and chars[2] in self.scales \
                and len(chars) == 3:  # 三五十, 一两百: a rough range
            scale = self.scales[chars[2]]
            return f"{self.digits[chars[0]] * scale} to {self.digits[chars[1]] * scale}"
        total, current, last_scale, prev_scale = 0, None, 0, False
        for ch in chars:
            if ch in self.digits:
                if current is not None and not prev_scale:
                    return None  # "五五": not a numeral
                current, prev_scale = self.digits[ch], False
            elif ch in self.scales:
                total += (1 if current is None else current) * self.scales[ch]
                current, last_scale, prev_scale = None, self.scales[ch], True
            else:
                return None
        if current is not None:
            total += current * last_scale // 10 if last_scale >= 100 and len(chars) >= 2 else current
        return str(total)

    @cached_property
    def _patterns(self) -> tuple[re.Pattern[str], tuple[str, ...], list[tuple[str, re.Pattern[str]]], list[str]]:
        """Built once: numeral runs, the words that make a numeral a number, each cue after a number, the units."""
        numerals = "".join(sorted(set(self.digits) | set(self.scales)))
        counted = tuple(sorted(self.counted + tuple(self.words) + tuple(self.after), key=len, reverse=True))
        units = sorted(self.words, key=len, reverse=True)
        cues = [(cue, re.compile(r"(\d+(?:[.,]\d+)?(?: to \d+)?)\s*((?:" + "|".join(re.escape(w) for w in units)
                                 + r")?)\s*" + re.escape(cue))) for cue in sorted(self.after, key=len, reverse=True)]
        return re.compile(f"[{re.escape(numerals)}]+"), counted, cues, units

    def plain(self, text: str) -> str:
        """`text` with numerals as digits, cue words after numbers moved before them, and words read in English."""
        if not self.digits:
            return text
        numerals, counted, cues, units = self._patterns

        def numeral(m: re.Match[str]) -> str:
            run, rest = m.group(0), text[m.end():]
            if not (set(run) & set(self.scales) or len(run) >= 2 or rest.startswith(counted)):
                return run  # "一点", "一下": not numbers
            value = self.value(run)
            return f" {value} " if value is not None else run

        out = re.sub(r"(?<=[^\x00-\x7f])(?=\d)|(?<=\d)(?=[^\x00-\x7f])", " ", text)  # "妈80岁": digits stand apart
        text = out
        out = numerals.sub(numeral, out)
        for cue, pattern in cues:
            out = pattern.sub(lambda m, cue=cue: f" {self.after[cue]} {m.group(1)} {m.group(2)} ", out)
        for word in units:
            out = out.replace(word, f" {self.words[word]} ")
        return " ".join(out.split())
