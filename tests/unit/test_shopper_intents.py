"""The offline assistant's reading of a question: which kind it is, and what it names."""

from __future__ import annotations

import pytest

from agent.shopper_intents import Kind, classify


@pytest.mark.parametrize(("question", "kind"), [
    ("What is your return policy?", Kind.policy),
    ("Do you ship to Canada?", Kind.policy),
    ("Where is my order?", Kind.orders),
    ("what's the status of my purchase", Kind.orders),
    ("Is SRPE93K1 in stock?", Kind.stock),
    ("Do you have the Turtle in stock?", Kind.stock),
    ("Compare SRPE93K1 and SPB143J1", Kind.compare),
    ("Turtle vs Samurai", Kind.compare),
    ("Which watch has the longest power reserve?", Kind.superlative),
    ("what is your most water resistant watch", Kind.superlative),
    ("your smallest watch for a slim wrist", Kind.superlative),
    ("dive watch under $600", Kind.search),
    ("a gift for my dad who likes hiking", Kind.search),
    ("What's the weather in Paris?", Kind.out_of_scope),
    ("asdfqwer zzz", Kind.out_of_scope),
])
def test_kinds(question: str, kind: Kind) -> None:
    assert classify(question).kind is kind


def test_what_the_question_names() -> None:
    assert classify("Compare srpe93k1 and SPB143J1").references == ("SRPE93K1", "SPB143J1")
    assert classify("Turtle versus the Samurai, which is better?").names == ("Turtle", "Samurai")
    assert classify("Is the Alpinist available?").names == ("Alpinist",)
    assert classify("What is your warranty and how long does shipping take?").topic in {"warranty", "shipping"}
    longest = classify("longest power reserve please")
    assert (longest.attribute, longest.highest) == ("power_reserve_hours", True)
    cheapest = classify("the cheapest one you sell")
    assert (cheapest.attribute, cheapest.highest) == ("price", False)


def test_catalog_words_count_as_watch_talk() -> None:
    assert classify("anything like the mikasa?").kind is Kind.out_of_scope
    assert classify("anything like the mikasa?", catalog_words=frozenset({"mikasa"})).kind is Kind.search
