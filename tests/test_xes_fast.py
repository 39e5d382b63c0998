"""The XES reader's fast path (canonical traces cut out of the stream) against its handler path.

Every document is read twice, once as shipped and once with every trace going through the
expat handlers (``cut_traces=False``): the traces, their lines, the point where an error
stops the reading and the error's message (with its line and column) must be identical.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicekit.datasets import bpic2013_sample_path
from servicekit.errors import XesFormatError
from servicekit.sources import XesSource, _xes, _xes_fast
from servicekit.sources._xes import MAX_TOKEN_BYTES, _date_instant, _date_pendulum, _traces

Outcome = tuple[list[tuple[object, ...]], str | None]


def _outcome(
    source: Callable[[], object],
    *,
    cut: bool,
    date: Callable[[str], object] = _date_pendulum,
    prefix: str | None = None,
) -> Outcome:
    """The traces read before the reading stopped, and the error that stopped it (if any)."""
    traces: list[tuple[object, ...]] = []
    try:
        for attributes, events, line in _traces(
            source(),  # type: ignore[arg-type]
            date,
            MAX_TOKEN_BYTES,
            cut_traces=cut,
            case_prefix=prefix,
        ):
            traces.append((attributes, events, line))
    except XesFormatError as exc:
        return traces, str(exc)
    return traces, None


def _merged(outcome: Outcome) -> Outcome:
    """Each trace's events as the rows XesSource gives (trace attributes as case:<key>)."""
    traces, error = outcome
    rows: list[tuple[object, ...]] = []
    for attributes, events, line in traces:
        case = {f"case:{key}": value for key, value in attributes.items()}  # type: ignore[attr-defined]
        rows.append((attributes, [{**case, **event} for event in events], line))  # type: ignore[attr-defined]
    return rows, error


def _both(data: bytes, date: Callable[[str], object] = _date_pendulum) -> Outcome:
    fast = _outcome(lambda: io.BytesIO(data), cut=True, date=date)
    slow = _outcome(lambda: io.BytesIO(data), cut=False, date=date)
    assert fast == slow
    # The rows XesSource reads come out built on the fast path, merged on the handler path.
    rows = _outcome(lambda: io.BytesIO(data), cut=True, date=date, prefix="case:")
    assert rows == _merged(slow)
    assert rows == _outcome(lambda: io.BytesIO(data), cut=False, date=date, prefix="case:")
    return fast


class _Spy:
    """What the fast path made of each trace offered to it, in order."""

    def __init__(self) -> None:
        self.recognised: list[bool] = []
        self.stood_in: list[bool] = []  # shown well-formed: expat parsed its stand-in


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> _Spy:
    seen = _Spy()

    class Spying(_xes_fast.CanonicalTraces):
        def __call__(self, text: str) -> _xes_fast.Trace | None:
            result = super().__call__(text)
            if self._case_prefix is not None:
                return result  # _both's reading of the rows: the same traces again
            seen.recognised.append(result is not None)
            seen.stood_in.append(result is not None and result[2] is not None)
            return result

    monkeypatch.setattr(_xes, "CanonicalTraces", Spying)
    return seen


@pytest.fixture
def recognised(spy: _Spy) -> list[bool]:
    """Whether each trace offered to the fast path was recognised, in order."""
    return spy.recognised


# -- generated documents -------------------------------------------------------------------

_TEXTS = [
    "a",
    "b c",
    "é€",
    "x:y",
    ">",
    "'",
    "&amp;",
    "&lt;b",
    "&#65;",
    "\t",
    "a\nb",
    "\r\n",
    "",
    "2012-05-03T14:19:01+02:00",
    "2012-05-03T14:19:01.5Z",
    "2012-05-03",
    "12",
    "-3",
    "1.5e3",
    "nan",
    "true",
    "FALSE",
    "\x7f",
]
_BLANKS = st.sampled_from(["", " ", "\n", "\t\t", "\r\n  ", "\n\n", "\r", " \r"])
_MISC = st.sampled_from(
    [
        "<!-- a comment -->",
        "<!-- <trace> </trace> <event> -->",
        "<![CDATA[<trace></trace>]]>",
        "<?pi <trace> ?>",
        "text",
        "&amp;",
    ]
)
# What turns a document into a broken one, inserted somewhere or at the end.
_BREAKS = st.sampled_from(
    [
        "<",
        "&bogus;",
        "</event>",
        "<trace>",
        "]]>",
        "<a",
        '"',
        "\x00",
        "\x01",
        "\x0b",
        "\x1f",
        "\ufffe",
        "\uffff",
        "\xff",
    ]
)
_PREFIXES = st.sampled_from([""] * 30 + ["x:"] * 3 + ["xes:"] * 3 + ["undeclared:"])


# Values each scalar type accepts, for the well-formed, valid elements most traces are made of.
_VALID = {
    # Printable text (a recognised trace stands in for itself), and characters XML allows
    # that are not printable (expat checks the trace): C1 controls, no-break space, BOM...
    "string": ["a", "b c", "é€", "x:y", ">", "", "2012", "😀 wide", "\x7f\x85", "\xa0", "\ufeff"],
    "id": ["1-364285768", "é"],
    "date": ["2012-05-03T14:19:01+02:00", "2012-05-03T14:19:01.250+00:00", "2012-05-03T14:19:01Z"],
    "int": ["12", "-3", "+0"],
    "float": ["1.5e3", "-0.25", "7"],
    "boolean": ["true", "FALSE"],
}
_KEYS = st.sampled_from(
    ["concept:name", "time:timestamp", "é", "org:resource", "😀"]
) | st.integers(0, 999).map("k{}".format)


@st.composite
def _value(draw: st.DrawFn, depth: int = 0, plain: bool = False) -> str:
    if plain or draw(st.integers(0, 2)):
        # As writers emit it: most traces should be recognised.
        tag = draw(st.sampled_from(sorted(_VALID)))
        key, value = draw(_KEYS), draw(st.sampled_from(_VALID[tag]))
        return f'<{tag} key="{key}" value="{value}"/>'
    tag = draw(
        st.sampled_from(
            ["string", "string", "date", "int", "float", "boolean", "id", "list", "container"]
        )
    )
    tag = draw(_PREFIXES) + tag
    key = draw(st.one_of(_KEYS, st.just("a&amp;b")))
    value = draw(st.sampled_from(_TEXTS))
    quote = draw(st.sampled_from(['"', '"', '"', "'"]))
    value = value.replace(quote, "&quot;" if quote == '"' else "&apos;")
    attributes = [f"key={quote}{key}{quote}", f"value={quote}{value}{quote}"]
    shape = draw(st.integers(0, 9))
    if shape == 0:
        attributes.reverse()
    elif shape == 1:
        attributes.append('extra="1"')
    elif shape == 2:
        attributes.pop()
    elif shape == 3:
        attributes[0] = attributes[0].replace("key=", "x:key=")
    spaces = draw(st.sampled_from([" ", " ", "  ", "\n"]))
    tail = draw(st.sampled_from(["/>", "/>", " />", "></" + tag + ">"]))
    children = ""
    if depth < 2 and draw(st.integers(0, 6)) == 0:
        children = "".join(draw(st.lists(_value(depth + 1), max_size=2)))
        if draw(st.integers(0, 5)) == 0:
            children += "<event/>"
        tail = f">{children}</{tag}>"
    return f"<{tag} " + spaces.join(attributes) + tail


@st.composite
def _event(draw: st.DrawFn, plain: bool = False) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        parts.append(draw(_BLANKS))
        if plain:
            parts.append(draw(_value(plain=True)))
            continue
        kind = draw(st.integers(0, 40))
        if kind == 0:
            parts.append(draw(_MISC))
        elif kind == 1:
            parts.append("<event></event>")  # nested: an error
        else:
            parts.append(draw(_value()))
    if plain:
        return "<event>" + "".join(parts) + draw(_BLANKS) + "</event>"
    opening = draw(st.sampled_from(["<event>", "<event>", "<event >", "<x:event>"]))
    closing = "</x:event>" if opening == "<x:event>" else "</event>"
    if not parts and draw(st.booleans()):
        return "<event/>"
    return opening + "".join(parts) + draw(_BLANKS) + closing


@st.composite
def _trace(draw: st.DrawFn) -> str:
    parts = []
    # Half the traces as writers emit them (the fast path's), half anything.
    plain = draw(st.booleans())
    for _ in range(draw(st.integers(0, 5))):
        parts.append(draw(_BLANKS))
        if plain:
            parts.append(
                draw(_event(plain=True) if draw(st.integers(0, 2)) else _value(plain=True))
            )
            continue
        kind = draw(st.integers(0, 9))
        if kind == 0:
            parts.append(draw(_MISC))
        elif kind < 5:
            parts.append(draw(_event()))
        else:
            parts.append(draw(_value()))
    if plain:
        return "<trace>" + "".join(parts) + draw(_BLANKS) + "</trace>"
    opening = draw(
        st.sampled_from(
            ["<trace>", "<trace>", "<trace>", "<trace >", "<trace\n>", '<trace a="1">', "<x:trace>"]
        )
    )
    closing = (
        "</x:trace>"
        if opening == "<x:trace>"
        else draw(st.sampled_from(["</trace>", "</trace>", "</trace >"]))
    )
    if not parts and draw(st.integers(0, 3)) == 0:
        return "<trace/>"
    return opening + "".join(parts) + draw(_BLANKS) + closing


@st.composite
def _document(draw: st.DrawFn) -> bytes:
    declaration = draw(
        st.sampled_from(
            [
                '<?xml version="1.0" encoding="UTF-8"?>\n',
                '<?xml version="1.0" encoding="utf-8" ?>',
                '<?xml version="1.0"?>\n',
                "",
                '<?xml version="1.0" encoding="ISO-8859-1"?>\n',
            ]
        )
    )
    prolog = draw(st.sampled_from(["", "<!-- <trace> -->\n", "<!DOCTYPE log>\n"]))
    namespaces = draw(
        st.sampled_from(
            [
                ' xmlns:x="urn:x" xmlns:xes="urn:y"',
                ' xmlns="http://www.xes-standard.org/" xmlns:x="urn:x" xmlns:xes="urn:y"',
                ' xmlns:x="urn:x" xmlns:xes="http://www.xes-standard.org/"',
            ]
        )
    )
    body = []
    for _ in range(draw(st.integers(0, 6))):
        body.append(draw(_BLANKS))
        kind = draw(st.integers(0, 9))
        if kind == 0:
            body.append(draw(_MISC))
        elif kind == 1:
            body.append(draw(_value()))  # a log-level attribute
        elif kind == 2:
            body.append(draw(_event()))  # an event outside any trace
        else:
            body.append(draw(_trace()))
    text = (
        declaration
        + prolog
        + f'<log xes.version="1.0"{namespaces}>'
        + '\n\t<extension name="Concept" prefix="concept" uri="urn:c"/>\n'
        + "".join(body)
        + draw(_BLANKS)
        + "</log>\n"
    )
    broken = draw(st.integers(0, 9))
    if broken == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(_BREAKS) + text[at:]
    elif broken == 1:
        text = text[: draw(st.integers(0, len(text)))]
    encoding = "latin-1" if "ISO-8859-1" in declaration else "utf-8"
    return text.encode(encoding, errors="replace")


@given(_document(), st.booleans())
def test_the_fast_path_reads_any_document_as_the_handlers_do(data: bytes, raw: bool) -> None:
    _both(data, _date_instant if raw else _date_pendulum)


@given(st.lists(_trace(), min_size=1, max_size=4), st.integers(0, 3))
def test_documents_of_traces_alone(traces: list[str], cut: int) -> None:
    # Mostly well-formed: the traces, their values and lines must come out the same.
    text = '<?xml version="1.0"?>\n<log>\n' + "\n".join(traces) + "\n</log>"
    data = text.encode()
    _both(data[: len(data) - cut])


# -- what the fast path recognises ------------------------------------------------------------


def _log(*traces: str, head: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<log>' + head + "\n".join(traces) + "</log>"
    ).encode()


CANONICAL = (
    '<trace>\n\t<string key="concept:name" value="1"/>\n\t<event>\n'
    '\t\t<string key="concept:name" value="Accepted"/>\n'
    '\t\t<date key="time:timestamp" value="2012-05-03T14:19:01+02:00"/>\n'
    '\t\t<int key="n" value="-4"/><float key="f" value="1.5"/><boolean key="b" value="true"/>\n'
    '\t\t<id key="i" value="é"/>\n\t</event>\n</trace>'
)


def test_a_canonical_trace_is_recognised(recognised: list[bool]) -> None:
    traces, error = _both(_log(CANONICAL, CANONICAL))
    assert error is None
    assert recognised == [True, True]
    attributes, events, line = traces[1]
    assert attributes == {"concept:name": "1"}
    assert events[0]["n"] == -4  # type: ignore[index]
    assert line == 11


@pytest.mark.parametrize(
    ("trace", "why"),
    [
        ('<trace><string key="a" value="&amp;"/></trace>', "an entity"),
        ('<trace><string key="a" value="x\ty"/></trace>', "a tab (normalised by XML)"),
        ('<trace><string key="&amp;" value="x"/></trace>', "an entity in a key"),
        ('<trace><string key="a\tb" value="x"/></trace>', "a tab in a key"),
        ('<trace><string key="a\nb" value="x"/></trace>', "a newline in a key"),
        ('<trace><string key="a\r\nb" value="x"/></trace>', "a line break in a key"),
        ('<trace><string key="a<b" value="x"/></trace>', "a '<' in a key: an error"),
        ("<trace><string key='a' value='x'/></trace>", "single quotes"),
        ('<trace><string value="x" key="a"/></trace>', "another attribute order"),
        ('<trace><string key="a" value="x"><int key="b" value="1"/></string></trace>', "nesting"),
        ('<trace><x:string key="a" value="x"/></trace>', "a prefix"),
        ('<trace><list key="a"/></trace>', "a list"),
        ('<trace><string key="a" value="x"/><string key="a" value="y"/></trace>', "a twin key"),
        ('<trace><int key="a" value="x"/></trace>', "a bad value"),
        ("<trace><event><event></event></event></trace>", "a nested event"),
        ("<trace >\n</trace>", "a blank in the tag"),
        ("<trace><!-- </trace> --></trace>", "a comment"),
    ],
)
def test_anything_else_goes_through_the_handlers(
    trace: str, why: str, recognised: list[bool]
) -> None:
    data = _log(trace).replace(b"<log>", b'<log xmlns:x="urn:x">')
    _both(data)
    assert recognised == [False], why


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<!-- <trace> -->" + CANONICAL, "a comment at log level"),
        ("<![CDATA[<trace>]]>" + CANONICAL, "CDATA at log level"),
        ("<?pi <trace>?>" + CANONICAL, "a processing instruction"),
        ("<event>" + CANONICAL + "</event>", "a trace inside an event: an error"),
        ("<trace/>" + CANONICAL, "a self-closing trace"),
        ("<traces/>" + CANONICAL, "another element"),
        ('<list key="l"><trace></trace></list>' + CANONICAL, "a trace in a log attribute"),
        ('<list key="l"><a><x:trace/></a></list>' + CANONICAL, "deeper, prefixed"),
        ('<list key="l"><subtrace/><event/></list>' + CANONICAL, "no trace"),
    ],
)
def test_a_trace_tag_where_no_trace_opens_is_never_cut(text: str, reason: str) -> None:
    _, error = _both(_log(text).replace(b"<log>", b'<log xmlns:x="urn:x">'))
    if "a trace in" in reason or "deeper" in reason:
        assert error is not None
        assert "<trace> outside <log>" in error


def test_errors_keep_their_line_and_column() -> None:
    data = _log(CANONICAL, CANONICAL + "\n  <bad", CANONICAL)
    _, error = _both(data)
    assert error is not None
    assert error.startswith("line 21: malformed XML")
    assert "column" in error


def test_a_printable_trace_stands_in_for_itself(spy: _Spy) -> None:
    # expat parses blanks in place of a trace shown well-formed: every later line and
    # column must read as if it had parsed the trace (wide characters count as one column,
    # "\r\n" as one break, a lone "\r" as one).
    wide = CANONICAL.replace('value="1"', 'value="😀é"')
    for text in (
        _log(CANONICAL, CANONICAL, CANONICAL + "  <bad"),
        _log(wide, wide + " <bad"),
        _log(wide.replace("\n", "\r\n"), wide.replace("\n", "\r") + "\r<bad"),
        _log(wide, "\r" + wide, wide.replace("\n", "") + "<bad"),
    ):
        spy.recognised.clear()
        spy.stood_in.clear()
        traces, error = _both(text)
        assert error is not None
        assert "malformed XML" in error
        assert spy.stood_in
        assert all(spy.stood_in)
        assert [line for *_, line in traces] == sorted({line for *_, line in traces})


@pytest.mark.parametrize("character", ["\x7f", "\x85", "\xa0", "\ufeff", "\u2028", "\ue000"])
@pytest.mark.parametrize("where", ["value", "key"])
def test_a_character_xml_allows_but_not_printable_is_checked_by_expat(
    character: str, where: str, spy: _Spy
) -> None:
    if where == "value":
        trace, expected = CANONICAL.replace('value="1"', f'value="{character}"'), character
    else:
        trace, expected = (
            CANONICAL.replace('key="concept:name" value="1"', f'key="{character}" value="1"'),
            "1",
        )
    traces, error = _both(_log(trace, CANONICAL))
    assert error is None
    assert list(traces[0][0].values()) == [expected]  # type: ignore[attr-defined]
    assert spy.recognised == [True, True]
    assert spy.stood_in == [False, True]  # the same markup, printable keys


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\uffff"])
@pytest.mark.parametrize("where", ['value="', 'key="'])
def test_a_character_xml_refuses_is_refused_in_a_canonical_trace(
    character: str, where: str
) -> None:
    data = _log(CANONICAL, CANONICAL.replace(where, f"{where}a{character}", 1))
    traces, error = _both(data)
    assert error is not None
    assert "malformed XML" in error
    assert len(traces) == 1


def test_every_printable_character_is_one_xml_allows() -> None:
    # The stand-in rests on it: str.isprintable() keeps a trace's keys and values within
    # XML's Char production, minus tab, newline and return.
    def xml_char(code: int) -> bool:
        return 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF

    printable = [code for code in range(0x110000) if chr(code).isprintable()]
    assert printable
    assert all(map(xml_char, printable))


def test_every_trace_that_ended_before_an_error_is_handed_out() -> None:
    # Within one read: the traces before the error come out, then the error, on both paths.
    for broken in ("<bad", "&bogus;", "<trace><event><event>"):
        data = _log(*[CANONICAL] * 5, broken, CANONICAL)
        traces, error = _both(data)
        assert len(traces) == 5
        assert error is not None
    ticking = _log(*[CANONICAL] * 5, CANONICAL.replace('value="-4"', 'value="x"'))
    traces, error = _both(ticking)
    assert len(traces) == 5
    assert error is not None
    assert "not a valid XES int" in error


@pytest.mark.parametrize("read_size", [64, 1000, 4096])
def test_what_is_handed_out_does_not_hang_on_the_read_size(
    read_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A trace cut by a read goes through the handlers; what comes out before an error, and
    # the error, are the same however the file is read.
    documents = [
        _log(*[CANONICAL] * 6, "<bad", CANONICAL),
        _log(*[CANONICAL] * 3, CANONICAL.replace('value="-4"', 'value="x"'), CANONICAL),
        _log(*[CANONICAL] * 4)[:-30],
    ]
    whole = [_both(data) for data in documents]
    monkeypatch.setattr(_xes, "_READ", read_size)
    assert [_both(data) for data in documents] == whole
    assert [len(traces) for traces, _ in whole] == [6, 3, 3]


def test_another_encoding_is_read_by_the_handlers(recognised: list[bool]) -> None:
    text = _log(CANONICAL.replace("é", "\xe9")).decode().replace("UTF-8", "ISO-8859-1")
    traces, error = _both(text.encode("latin-1"))
    assert error is None
    assert traces[0][1][0]["i"] == "é"  # type: ignore[index]
    assert recognised == []


def test_traces_longer_than_a_chunk_and_a_token_limit(tmp_path: Path) -> None:
    event = '<event><string key="k" value="' + "v" * 1000 + '"/></event>'
    big = "<trace>" + event * 1200 + "</trace>"  # longer than a read: the handlers read it
    data = _log(CANONICAL, big, CANONICAL)
    traces, error = _both(data)
    assert error is None
    assert len(traces) == 3
    # A value longer than the token limit is refused on both paths, by the limit.
    huge = '<trace><string key="k" value="' + "v" * (MAX_TOKEN_BYTES + 10) + '"/></trace>'
    _, error = _both(_log(CANONICAL, huge))
    assert error is not None
    assert "longer than" in error


def test_a_gzip_log_and_a_truncated_one(tmp_path: Path) -> None:
    data = _log(*[CANONICAL] * 50)
    path = tmp_path / "log.xes.gz"
    path.write_bytes(gzip.compress(data))
    fast = _outcome(lambda: path, cut=True)
    assert fast == _outcome(lambda: path, cut=False)
    assert len(fast[0]) == 50
    assert fast[1] is None
    path.write_bytes(gzip.compress(data)[:-20])
    assert _outcome(lambda: path, cut=True) == _outcome(lambda: path, cut=False)


# -- real logs ----------------------------------------------------------------------------------


def _rows(source: Path, *, cut: bool) -> Iterator[tuple[int, dict[str, object]]]:
    for attributes, events, line in _traces(
        source, _date_pendulum, MAX_TOKEN_BYTES, cut_traces=cut
    ):
        case = {f"case:{key}": value for key, value in attributes.items()}
        for event in events:
            yield line, {**case, **event}


def test_the_bpi_sample_reads_the_same_on_both_paths(spy: _Spy) -> None:
    path = bpic2013_sample_path()
    assert _outcome(lambda: path, cut=True) == _outcome(lambda: path, cut=False)
    assert spy.recognised == [True] * 90
    assert spy.stood_in == [True] * 90
    assert list(XesSource(path).rows()) == list(_rows(path, cut=False))
    assert _outcome(lambda: path, cut=True, date=_date_instant) == _outcome(
        lambda: path, cut=False, date=_date_instant
    )


def test_forgetting_the_layouts_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    path = bpic2013_sample_path()
    remembered = _outcome(lambda: path, cut=True)
    monkeypatch.setattr(_xes_fast, "_MAX_LAYOUTS", 2)
    assert _outcome(lambda: path, cut=True) == remembered
    assert len(remembered[0]) == 90


def test_the_full_bpi_log_reads_the_same_on_both_paths(bpic2013_path: Path) -> None:
    fast = list(XesSource(bpic2013_path).rows())
    assert len(fast) == 65_533
    assert fast == list(_rows(bpic2013_path, cut=False))
