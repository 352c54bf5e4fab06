from needs_assessment.presentation.text import join, rate, signed_pct


def test_rate_keeps_small_rates_readable():
    assert rate(5.98765) == "5.99"
    assert rate(0.0142) == "0.0142"
    assert rate(None) == "–" and rate(float("nan")) == "–"


def test_signed_pct_and_join():
    assert signed_pct(4.21) == "+4.2%" and signed_pct(-3.14) == "−3.1%"
    assert join(["a"]) == "a" and join(["a", "b", "c"]) == "a, b and c" and join([]) == ""
