"""A scenario's words shown as words: escaping for the two places the dashboard renders markup.

Streamlit renders every label, caption, title, alert, tooltip and `st.markdown` as Markdown (CommonMark,
GitHub's extensions, KaTeX between `$`, `:red[..]` colours, `:smile:` emoji and `:material/..:` icons);
plotly renders a figure's titles, labels and hover text as its own small HTML (`<a href>`, `<b>`, `<br>` ..).
A scenario's name, device, artist tier, sources and every other string it holds are the uploader's text: put
into either unescaped, `![t](https://...)` makes the browser fetch an outside image, `[x](https://...)` a live
link, `$x^2$` KaTeX. Streamlit has no escaper of its own, so every string that comes from a scenario (or from
anything made of one: a headline, a caption, a warning) goes through `md` before Streamlit sees it, and
through `plotly_text` before it goes into a figure. Literal markup the pages write themselves ("### ",
"**..**") is added around the escaped text, never inside it.
"""

from __future__ import annotations

import re
import string

# CommonMark: "any ASCII punctuation character may be backslash-escaped", and an escaped one is always
# literal text; escaping all of them (not a hand-picked few) leaves nothing for a Markdown extension to
# start from: links, images, emphasis, code, headings, lists, tables, KaTeX ('$'), colours and emoji (':'),
# entities ('&') and HTML ('<').
_PUNCT = re.compile("([" + re.escape(string.punctuation) + "])")
# A line break inside a string would end a heading or start a new block (a list, a quote, code).
_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x0b\x0c\x85]+\s*")
# GitHub's autolinks ('https://..', 'www.x', 'a@b.c') are found in the text after parsing, so an escape cannot
# stop them: a WORD JOINER (U+2060, invisible, not a space) inside the pattern does.
WJ = "\u2060"
_AUTOLINK = re.compile(r"(?<=:/)(?=/)|(?i:(?<=www)(?=\.))|(?<=@)")


def md(text: object) -> str:
    """`text` as Markdown that renders as exactly `text` (line breaks as spaces), nothing else."""
    s = _BREAKS.sub(" ", str(text))
    # a run of leading spaces would make an indented code block; a space is kept as a space
    s = _AUTOLINK.sub(WJ, s.lstrip(" \t"))
    return _PUNCT.sub(r"\\\1", s)


def plotly_text(text: object) -> str:
    """`text` for a plotly title, label or hover text: its pseudo-HTML tags and entities shown as written."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_ESCAPED = re.compile("\\\\([" + re.escape(string.punctuation) + "])")


def unescape(markdown: str) -> str:
    """The text `md` escaped, back (for tests and for comparing a page's words with the model's)."""
    return _ESCAPED.sub(r"\1", markdown).replace(WJ, "")
