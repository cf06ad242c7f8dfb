from __future__ import annotations

from assistant.api.sse import SseEvent, SseParser, comment, frame, parse


def test_frame_is_one_json_line() -> None:
    text = frame("token", {"text": "строка\nвторая"})
    assert text == 'event: token\ndata: {"text": "строка\\nвторая"}\n\n'


def test_parse_roundtrip_skips_comments() -> None:
    text = frame("meta", {"a": 1}) + comment() + frame("final", {"b": [1, 2]})
    assert parse(text) == [SseEvent("meta", {"a": 1}), SseEvent("final", {"b": [1, 2]})]


def test_incremental_parser_handles_split_chunks_and_crlf() -> None:
    parser = SseParser()
    whole = frame("token", {"text": "а"}).replace("\n", "\r\n") + frame("final", {})
    events = []
    for i in range(0, len(whole), 3):
        events += parser.feed(whole[i : i + 3])
    assert events == [SseEvent("token", {"text": "а"}), SseEvent("final", {})]


def test_multiline_and_plain_data() -> None:
    assert parse("data: one\ndata: two\n\n") == [SseEvent("message", "one\ntwo")]
