"""The script's placeholders take this call's values; the honorific comes from the gender when known."""

from __future__ import annotations

import pytest

from dialer.ivr.flow import CallContext, honorific_for, start

from .helpers import shipped


@pytest.mark.parametrize(
    ("gender", "honorific"),
    [
        ("男", "先生"),
        ("M", "先生"),
        ("female", "女士"),
        ("女", "女士"),
        ("", "您"),
        (None, "您"),
        ("未知", "您"),
    ],
)
def test_the_honorific_follows_the_gender_or_falls_back_to_nin(gender: str | None, honorific: str) -> None:
    assert honorific_for(gender) == honorific


def test_the_identity_question_names_the_customer() -> None:
    ctx = CallContext(customer_name="李娜", honorific=honorific_for("女"), company="华夏证券")
    _, opening = start(shipped()["new_account"], ctx)
    assert opening.texts == [
        "您好！这里是华夏证券客户服务中心。",
        "为保障您的权益，本次通话将全程录音。",
        "请问是李娜女士本人吗？",
    ]


def test_an_unknown_gender_still_reads_politely() -> None:
    _, opening = start(shipped()["claim"], CallContext(customer_name="王芳", company="人保财险"))
    assert opening.texts[-1] == "请问是王芳您本人吗？"


def test_braces_in_customer_data_are_spoken_as_they_are() -> None:
    ctx = CallContext(customer_name="{product}", company="{company}", product="秘密")
    _, opening = start(shipped()["claim"], ctx)
    assert opening.texts[-1] == "请问是{product}您本人吗？" and "秘密" not in "".join(opening.texts)
