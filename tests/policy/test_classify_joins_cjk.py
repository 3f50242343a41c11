"""Vosk separates CJK words with spaces; the classifier joins them before matching phrases."""

from __future__ import annotations

from dialer.policy.classify import classify, join_cjk


def test_it_removes_spaces_between_chinese_characters() -> None:
    assert join_cjk("不 是 很 清楚") == "不是很清楚"


def test_it_keeps_spaces_between_latin_words() -> None:
    assert join_cjk("  ok  好 的  thank you ") == "ok 好的 thank you"


def test_the_joined_text_is_what_the_result_keeps() -> None:
    result = classify("不 是 很 清楚")

    assert (result.text, result.label, result.matched) == ("不是很清楚", "no", "不是很清楚")


def test_grammar_noise_is_read_on_the_first_answer_word() -> None:
    assert classify("是 是 对").label == "yes"
    assert classify("<UNK> 没有").label == "no"
