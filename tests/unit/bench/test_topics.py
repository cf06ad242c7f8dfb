"""bench/topics.py: one topic question per titled article of a real large act."""

from __future__ import annotations

from bench.topics import LARGE, questions


def test_every_titled_article_gets_one_topic_question_without_its_number() -> None:
    asked = questions(LARGE / "civil-service")
    assert len(asked) > 100
    assert {lang for _, lang in asked} == {"ru", "kk"}
    ru = asked[("civil-service#st54", "ru")]
    assert ru == "Что предусмотрено по теме «Отпуска государственных служащих»?"
    assert all("Статья" not in q and "-бап." not in q for q in asked.values())
